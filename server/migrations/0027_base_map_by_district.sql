-- The OSM base map keyed by district too (docs/SCALE.md): at a country's scale `road` and `landuse` are large, so
-- under Citus they are distributed by district like the rest, not copied to every node. A feature is imported
-- before any boundary and holds '000000' until `place_base_map()` places it: one wholly inside a district is
-- relabelled, one crossing districts is cut into one piece per district it enters (each keeping the feature's id
-- and OSM id), and what lies outside every district stays under '000000'. A road therefore becomes a
-- MultiLineString: its piece inside a district may be several runs.
ALTER TABLE road ALTER geom TYPE geometry(MultiLineString, 4326) USING ST_Multi(geom);
ALTER TABLE road ADD COLUMN district_code text NOT NULL DEFAULT '000000' CHECK (district_code ~ '^[0-9]{6}$'),
    DROP CONSTRAINT road_pkey, ADD PRIMARY KEY (id, district_code),
    DROP CONSTRAINT road_source_source_id_key, ADD UNIQUE (source, source_id, district_code);
ALTER TABLE landuse ADD COLUMN district_code text NOT NULL DEFAULT '000000' CHECK (district_code ~ '^[0-9]{6}$'),
    DROP CONSTRAINT landuse_pkey, ADD PRIMARY KEY (id, district_code),
    DROP CONSTRAINT landuse_source_source_id_key, ADD UNIQUE (source, source_id, district_code);

-- Places the features of `tbl` (`road` or `landuse`, whose own column is `attr` and whose geometries have dimension
-- `dim`) not yet placed ('000000') in the districts with a boundary that their interiors meet, and returns how many
-- were placed. One wholly inside a district is relabelled; one crossing districts is cut, a piece per district and
-- the rest left unplaced. A piece meeting one placed before (the boundaries of neighbouring districts overlap by a
-- few metres in public data) is merged into it.
CREATE FUNCTION place_features(tbl text, attr text, dim int) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    moved bigint;
    cut bigint;
BEGIN
    EXECUTE format(
        'UPDATE %1$I x SET district_code = d.code FROM district d
         WHERE x.district_code = ''000000'' AND d.geom && x.geom AND ST_CoveredBy(x.geom, d.geom)
           AND NOT EXISTS (SELECT 1 FROM %1$I y WHERE y.id = x.id AND y.district_code = d.code)', tbl);
    GET DIAGNOSTICS moved = ROW_COUNT;
    EXECUTE format(
        'WITH crossing AS (
             DELETE FROM %1$I x WHERE x.district_code = ''000000''
                 AND EXISTS (SELECT 1 FROM district d WHERE d.geom && x.geom AND ST_Relate(x.geom, d.geom, ''T********''))
             RETURNING x.*),
         pieces AS (
             SELECT c.id, c.source, c.source_id, c.%2$I, c.name, d.code,
                    ST_CollectionExtract(ST_Intersection(c.geom, d.geom), %3$s) AS g
             FROM crossing c JOIN district d ON d.geom && c.geom AND ST_Relate(c.geom, d.geom, ''T********'')
             UNION ALL
             SELECT c.id, c.source, c.source_id, c.%2$I, c.name, ''000000'',
                    ST_CollectionExtract(ST_Difference(c.geom,
                        (SELECT ST_Union(d.geom) FROM district d WHERE d.geom && c.geom)), %3$s)
             FROM crossing c)
         INSERT INTO %1$I (id, source, source_id, %2$I, name, district_code, geom)
         SELECT id, source, source_id, %2$I, name, code, ST_Multi(g) FROM pieces WHERE NOT ST_IsEmpty(g)
         ON CONFLICT (id, district_code) DO UPDATE
             SET geom = ST_Multi(ST_CollectionExtract(ST_Union(%1$I.geom, excluded.geom), %3$s))', tbl, attr, dim);
    GET DIAGNOSTICS cut = ROW_COUNT;
    RETURN moved + cut;
END $$;

-- Places the roads and land use not yet in a district (see `place_features`). Run after an import of features,
-- and by the triggers below whenever a district is added or its boundary stored or redrawn.
CREATE FUNCTION place_base_map() RETURNS TABLE (roads bigint, landuse bigint) LANGUAGE sql AS $$
    SELECT place_features('road', 'class', 2), place_features('landuse', 'kind', 3)
$$;

-- Puts back together, unplaced, every feature of `tbl` with a piece in one of the districts `codes` (all its pieces,
-- in whatever district): what a redrawn district held is placed again from the whole feature.
CREATE FUNCTION unplace_features(tbl text, attr text, dim int, codes text[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format(
        'WITH hit AS (SELECT DISTINCT id FROM %1$I WHERE district_code = ANY($1)),
         gone AS (DELETE FROM %1$I x USING hit WHERE x.id = hit.id RETURNING x.*)
         INSERT INTO %1$I (id, source, source_id, %2$I, name, district_code, geom)
         SELECT id, min(source), min(source_id), min(%2$I), min(name), ''000000'',
                ST_Multi(ST_CollectionExtract(ST_Union(geom), %3$s))
         FROM gone GROUP BY id', tbl, attr, dim) USING codes;
END $$;

CREATE FUNCTION district_places_base_map() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM place_base_map();
    RETURN NULL;
END $$;
CREATE TRIGGER district_places_base_map AFTER INSERT ON district
    FOR EACH STATEMENT EXECUTE FUNCTION district_places_base_map();

-- A district's boundary stored or redrawn: the features it held are put back together and placed again.
CREATE FUNCTION district_redrawn() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    codes text[];
BEGIN
    SELECT array_agg(n.code) INTO codes FROM new_rows n JOIN old_rows o ON o.code = n.code
    WHERE ST_AsBinary(n.geom) IS DISTINCT FROM ST_AsBinary(o.geom);
    IF codes IS NOT NULL THEN
        PERFORM unplace_features('road', 'class', 2, codes);
        PERFORM unplace_features('landuse', 'kind', 3, codes);
        PERFORM place_base_map();
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER district_redrawn AFTER UPDATE ON district REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION district_redrawn();

SELECT place_base_map();
