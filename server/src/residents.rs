//! Residents, the application service: a person is located by their building, sealed (AES-256-GCM) and stored
//! through the after-write path; a reveal opens the sealed data and is audited like a write, with the masked record
//! in the log and never the revealed values.

use actix_web::http::StatusCode;
use serde::Serialize;
use wangge_domain::personal::{IdCardNumber, PersonName, PhoneNumber};

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::places::{self, Entity, Lies};
use crate::store::residents::{self, NewResident};
use crate::write::{Touches, Writer};

/// A person's data, parsed and checked.
pub struct Person {
    /// Their name.
    pub name: PersonName,
    /// Their ID-card number.
    pub id_card: IdCardNumber,
    /// Their phone, if given.
    pub phone: Option<PhoneNumber>,
}

/// The grid a resident was located to.
#[derive(Debug, Serialize)]
pub struct GridRef {
    /// Its id.
    pub id: i64,
    /// Its code.
    pub code: String,
}

/// A registered resident: the id and where they were located.
#[derive(Debug, Serialize)]
pub struct Registered {
    /// The new id.
    pub id: i64,
    /// Their community's code.
    pub community: Option<String>,
    /// Their grid.
    pub grid: Option<GridRef>,
}

/// A resident's personal data in clear.
#[derive(Debug, Serialize)]
pub struct Revealed {
    /// The resident.
    pub id: i64,
    /// Name.
    pub name: String,
    /// ID-card number.
    pub id_card: String,
    /// Phone.
    pub phone: Option<String>,
}

/// Register `person` as living in `building`, located by the building's point.
pub async fn register(state: &AppState, writer: Writer, person: Person, building: i64) -> ApiResult<Registered> {
    let Some(Lies::At(lon, lat)) = places::lies(&state.pool, Entity::Building, building).await? else {
        return Err(ApiError::not_found("building", building));
    };
    let located = state.cache.snapshot().locate(lon, lat, chrono::Utc::now());
    let key = &state.security.key;
    let Person { name, id_card, phone } = person;
    let mut w = writer.begin(state).await?;
    let new = NewResident {
        sealed: (key.seal(name.as_str()), key.seal(id_card.as_str()), phone.as_ref().map(|p| key.seal(p.as_str()))),
        masked: (name.masked(), id_card.masked(), phone.as_ref().map(PhoneNumber::masked)),
        id_card_digest: key.digest(id_card.as_str()),
        building,
        at: (lon, lat),
        community: located.community.as_ref().map(|c| c.code.as_str()),
        grid: located.grid().map(|g| g.id),
    };
    let id = residents::insert(w.conn(), new).await?;
    let grid = located.grid().map(|g| GridRef { id: g.id, code: g.code.clone() });
    let registered = Registered { id, community: located.community.map(|c| c.code), grid };
    w.finish(StatusCode::CREATED, &registered, Touches::Nothing).await?;
    Ok(registered)
}

/// Open resident `id`'s personal data (the caller's role and scope were checked by the guard).
pub async fn reveal(state: &AppState, writer: Writer, id: i64) -> ApiResult<Revealed> {
    let mut w = writer.begin(state).await?;
    let (name, id_card, phone) =
        residents::sealed(w.conn(), id).await?.ok_or_else(|| ApiError::not_found("resident", id))?;
    let key = &state.security.key;
    let open =
        |b: &[u8]| key.open(b).map_err(|e| ApiError::from(anyhow::Error::from(e).context(format!("resident {id}"))));
    let revealed =
        Revealed { id, name: open(&name)?, id_card: open(&id_card)?, phone: phone.as_deref().map(open).transpose()? };
    w.finish(StatusCode::OK, &revealed, Touches::Nothing).await?;
    Ok(revealed)
}
