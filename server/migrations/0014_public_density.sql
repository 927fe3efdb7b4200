-- A district may publish its incident density on the public map (bins only, none under five incidents, sensitive
-- categories left out). Off until its admin turns it on.
ALTER TABLE district ADD COLUMN public_density boolean NOT NULL DEFAULT false;
