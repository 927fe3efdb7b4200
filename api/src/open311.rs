//! Open311 GeoReport v2 on the wire (<https://wiki.open311.org/GeoReport_v2>), element names exactly as the
//! specification spells them, plus the widely used extensions: `page`/`page_size`, `extensions=true` with the
//! public trail as `notes`, a bounding box and a radius, and FixMyStreet's `servicerequestupdates`. The same
//! documents are written as JSON and as XML (the server names the XML elements after these fields).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where the GeoReport v2 endpoints live.
pub const BASE: &str = "/open311/v2";

/// One service (a problem residents can report).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Service {
    /// Its code.
    pub service_code: String,
    /// Its name.
    pub service_name: String,
    /// What it covers.
    pub description: String,
    /// Whether it has attributes (a service definition worth asking for).
    pub metadata: bool,
    /// Always `realtime`: a request becomes a case at once.
    #[serde(rename = "type")]
    pub kind: String,
    /// Other words for it, comma-separated.
    pub keywords: String,
    /// The major class it belongs to.
    pub group: String,
}

/// A value of a list attribute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttributeValue {
    /// Its key (sent as `attribute[code]=key`).
    pub key: String,
    /// Its name.
    pub name: String,
}

/// An attribute of a service definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attribute {
    /// Whether the client should ask for it (false: informational).
    pub variable: bool,
    /// Its code.
    pub code: String,
    /// `string`, `number`, `datetime`, `text`, `singlevaluelist` or `multivaluelist`.
    pub datatype: String,
    /// Whether a request must carry it.
    pub required: bool,
    /// How to fill it in.
    pub datatype_description: String,
    /// Order shown.
    pub order: u32,
    /// The question.
    pub description: String,
    /// The choices of a list.
    pub values: Vec<AttributeValue>,
}

/// A service definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceDefinition {
    /// The service.
    pub service_code: String,
    /// Its attributes.
    pub attributes: Vec<Attribute>,
}

/// The answer to a posted request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Created {
    /// The request's id (the case number).
    pub service_request_id: String,
    /// The key of the request's public tracking page (also answered by the `tokens` method).
    pub token: String,
    /// What happens next.
    pub service_notice: String,
    /// Not used (Wangge keeps no public accounts).
    pub account_id: Option<String>,
}

/// A token's request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenAnswer {
    /// The request.
    pub service_request_id: String,
    /// The token asked about.
    pub token: String,
}

/// One public step of a request (`extensions=true`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Note {
    /// When.
    pub datetime: DateTime<Utc>,
    /// What happened (`report`, `accept`, `dispatch`, `handle`, `verify_pass`, …).
    #[serde(rename = "type")]
    pub kind: String,
    /// The public status after it.
    pub status: String,
    /// The department, or the reason given to the public.
    pub summary: Option<String>,
}

/// A service request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceRequest {
    /// Its id (the case number).
    pub service_request_id: String,
    /// `open` or `closed`.
    pub status: String,
    /// The public status in words, and the reason of a refusal.
    pub status_notes: Option<String>,
    /// The service's name.
    pub service_name: String,
    /// The service's code.
    pub service_code: String,
    /// What was reported (once accepted; withheld until a street center has looked at it).
    pub description: Option<String>,
    /// The department that has it.
    pub agency_responsible: Option<String>,
    /// Not used.
    pub service_notice: Option<String>,
    /// Reported.
    pub requested_datetime: DateTime<Utc>,
    /// Last changed.
    pub updated_datetime: DateTime<Utc>,
    /// The deadline.
    pub expected_datetime: Option<DateTime<Utc>>,
    /// Address as given.
    pub address: Option<String>,
    /// Not used.
    pub address_id: Option<String>,
    /// Not used.
    pub zipcode: Option<String>,
    /// Where.
    pub lat: f64,
    /// Where.
    pub long: f64,
    /// The first photo (public copy), once accepted.
    pub media_url: Option<String>,
    /// The public trail (`extensions=true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<Vec<Note>>,
}

/// A change to a request (FixMyStreet's `servicerequestupdates`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestUpdate {
    /// The step's id.
    pub update_id: String,
    /// The request.
    pub service_request_id: String,
    /// `open` or `closed` after it.
    pub status: String,
    /// When.
    pub updated_datetime: DateTime<Utc>,
    /// What happened, in words.
    pub description: String,
    /// The step's photo (public copy), if any.
    pub media_url: Option<String>,
}

/// An error as Open311 sends it (in a list).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Error {
    /// The HTTP status.
    pub code: u16,
    /// Why.
    pub description: String,
}

/// An endpoint of the discovery document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Endpoint {
    /// `http://wiki.open311.org/GeoReport_v2`.
    pub specification: String,
    /// Its base URL.
    pub url: String,
    /// When it last changed.
    pub changeset: DateTime<Utc>,
    /// `production`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `text/xml`, `application/json`.
    pub formats: Vec<String>,
}

/// The discovery document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Discovery {
    /// When it last changed.
    pub changeset: DateTime<Utc>,
    /// Whom to ask.
    pub contact: String,
    /// How to get a key.
    pub key_service: String,
    /// The endpoints.
    pub endpoints: Vec<Endpoint>,
}
