//! Open311 GeoReport v2 through HTTP on a real PostGIS: every method in JSON and XML, the spec's errors, api_key
//! issue and revoke, posting with attributes and a media file, the request list's filters and pages, the
//! extensions, tokens, FixMyStreet's updates, and that no GET carries personal data.

use serde_json::{json, Value};
use wangge_api::clients::IssuedKey;
use wangge_api::open311::{Created, Discovery, Service, ServiceDefinition, ServiceRequest, TokenAnswer};
use wangge_domain::access::{Role, Scope};
use wangge_tests::{multipart, png, Caller, TestApp};

const A: &str = "990101001001";

fn typed<T: serde::de::DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{e}: {v}"))
}

/// An Open311 error list of one, with its code.
fn spec_error(v: &Value) -> u64 {
    assert_eq!(v.as_array().map(Vec::len), Some(1), "{v}");
    assert!(v[0]["description"].as_str().is_some_and(|d| !d.is_empty()), "{v}");
    v[0]["code"].as_u64().unwrap()
}

async fn post_form(caller: &Caller, path: &str, fields: &[(&str, String)]) -> (u16, Value) {
    let body = serde_urlencoded::to_string(fields).unwrap();
    caller.post_raw(path, "application/x-www-form-urlencoded", body.into_bytes()).await
}

#[tokio::test]
async fn every_method_answers_in_json_and_xml_as_the_spec_names_it() {
    let app = TestApp::spawn_with_demo().await;
    if !app.load_catalogue().await {
        return;
    }
    let public = app.public();
    let admin = app.sign_in_as("admin", Role::DistrictAdmin, Scope::District(A[..6].parse().unwrap())).await;
    let street = app.sign_in_as("street", Role::StreetOperator, Scope::Street(A[..9].parse().unwrap())).await;
    let at = app.interior_point(A).await;

    let (s, b) = public.get("/open311/v2/discovery.json").await;
    assert_eq!(s, 200);
    assert!(typed::<Discovery>(b).endpoints[0].url.ends_with("/open311/v2"));
    let (s, xml) = public.get_text("/open311/v2/discovery.xml").await;
    assert!(s == 200 && xml.starts_with("<?xml") && xml.contains("<endpoints><endpoint>"), "{xml}");

    let (_, b) = public.get("/open311/v2/services.json?jurisdiction_id=990101").await;
    let services: Vec<Service> = typed(b);
    assert!(services.iter().any(|s| s.service_code == "road_damage" && s.kind == "realtime"));
    let (_, xml) = public.get_text("/open311/v2/services.xml").await;
    assert!(xml.contains("<services><service>") && xml.contains("<service_code>road_damage</service_code>"));
    let (_, b) = public.get(&format!("/open311/v2/services.json?lat={}&long={}", at.1, at.0)).await;
    assert_eq!(typed::<Vec<Service>>(b).len(), services.len(), "served where a community is");
    let (_, b) = public.get("/open311/v2/services.json?lat=20&long=100").await;
    assert!(typed::<Vec<Service>>(b).is_empty(), "no services where nobody serves");
    let (s, b) = public.get("/open311/v2/services.json?jurisdiction_id=123456").await;
    assert_eq!((s, spec_error(&b)), (404, 404));
    let (_, b) = public.get("/open311/v2/services/noise.json").await;
    let def: ServiceDefinition = typed(b);
    assert!(def.attributes.iter().any(|a| a.code == "hazard" && a.datatype == "singlevaluelist"));
    let (_, xml) = public.get_text("/open311/v2/services/noise.xml").await;
    assert!(xml.contains("<service_definition>") && xml.contains("<attributes><attribute>"), "{xml}");
    let (s, xml) = public.get_text("/open311/v2/services/nothing.xml").await;
    assert!(s == 404 && xml.contains("<errors><error><code>404</code>"), "{xml}");
    let (s, b) = public.get("/open311/v2/services.yaml").await;
    assert_eq!((s, spec_error(&b)), (400, 400));

    // Posting needs a live key a district admin issued.
    let request = |key: &str| {
        vec![
            ("api_key", key.to_owned()),
            ("jurisdiction_id", "990101".to_owned()),
            ("service_code", "road_damage".to_owned()),
            ("lat", at.1.to_string()),
            ("long", at.0.to_string()),
            ("address_string", "示范路 8 号".to_owned()),
            ("description", "路面塌陷".to_owned()),
            ("first_name", "李".to_owned()),
            ("last_name", "四".to_owned()),
            ("phone", "13900001111".to_owned()),
            ("attribute[hazard]", "yes".to_owned()),
        ]
    };
    let (s, b) = post_form(&public, "/open311/v2/requests.json", &request("")).await;
    assert_eq!((s, spec_error(&b)), (403, 403));
    let (s, b) = post_form(&public, "/open311/v2/requests.json", &request("not-a-key")).await;
    assert_eq!((s, spec_error(&b)), (403, 403));
    let (_, b) = admin.post("/api/api-clients", &json!({ "name": "市民通 App" })).await;
    let issued: IssuedKey = typed(b);
    let key = issued.api_key.clone();
    let (s, b) = post_form(&public, "/open311/v2/requests.json", &request(&key)).await;
    assert_eq!(s, 200, "{b}");
    let created: Vec<Created> = typed(b);
    let number = created[0].service_request_id.clone();
    let mut bad = request(&key);
    bad.retain(|(k, _)| *k != "service_code");
    assert_eq!(spec_error(&post_form(&public, "/open311/v2/requests.json", &bad).await.1), 400);
    let mut bad = request(&key);
    bad.push(("attribute[hazard]", "maybe".to_owned()));
    bad.retain(|(k, v)| *k != "attribute[hazard]" || v == "maybe");
    assert_eq!(spec_error(&post_form(&public, "/open311/v2/requests.json", &bad).await.1), 400);
    let mut far = request(&key);
    far.retain(|(k, _)| *k != "lat" && *k != "long");
    far.push(("lat", "20".into()));
    far.push(("long", "100".into()));
    assert_eq!(spec_error(&post_form(&public, "/open311/v2/requests.json", &far).await.1), 400);
    // XML, and a multipart post with a media file.
    let (s, xml) = {
        let body = serde_urlencoded::to_string(request(&key)).unwrap();
        let r = public
            .request(reqwest::Method::POST, "/open311/v2/requests.xml")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    };
    assert!(s == 200 && xml.contains("<service_requests><request>") && xml.contains("<service_request_id>"), "{xml}");
    let (content_type, body) = multipart(&request(&key), &[("media", png(400, 300, 9))]);
    let (s, b) = public.post_raw("/open311/v2/requests.json", &content_type, body).await;
    assert_eq!(s, 200, "{b}");
    let with_photo = typed::<Vec<Created>>(b)[0].service_request_id.clone();

    // Reading back: the list, one request, tokens; a description and a photo only once accepted; never the
    // reporter's name or phone.
    let (s, b) = public.get("/open311/v2/requests.json").await;
    assert_eq!(s, 200, "{b}");
    let list: Vec<ServiceRequest> = typed(b.clone());
    assert_eq!(list.len(), 3);
    assert!(list.iter().all(|r| r.status == "open" && r.description.is_none() && r.media_url.is_none()));
    for private in ["13900001111", "李", "\"四\""] {
        assert!(!b.to_string().contains(private), "{private} in a GET");
    }
    let id: i64 = sqlx::query_scalar("SELECT id FROM cases WHERE number = $1")
        .bind(&with_photo)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let (s, b) = street.post(&format!("/api/cases/{id}/actions"), &json!({ "action": "accept" })).await;
    assert_eq!(s, 200, "{b}");
    let (_, b) = public.get(&format!("/open311/v2/requests/{with_photo}.json?extensions=true")).await;
    let one: Vec<ServiceRequest> = typed(b);
    assert_eq!(one.len(), 1);
    assert!(one[0].description.as_deref().is_some_and(|d| d.starts_with("路面塌陷") && d.contains("[hazard] yes")));
    let media = one[0].media_url.clone().expect("the photo, once accepted");
    let path = media.split_once("/api/").map(|(_, p)| format!("/api/{p}")).unwrap();
    assert_eq!(public.get_text(&path).await.0, 200);
    let notes = one[0].notes.clone().unwrap();
    assert_eq!(notes.iter().map(|n| n.kind.as_str()).collect::<Vec<_>>(), ["report", "accept"]);
    let (_, xml) = public.get_text(&format!("/open311/v2/requests/{with_photo}.xml")).await;
    assert!(xml.contains("<service_requests><request>") && xml.contains("<status>open</status>"), "{xml}");
    let (s, b) = public.get("/open311/v2/requests/990101-20200101-9999.json").await;
    assert_eq!((s, spec_error(&b)), (404, 404));
    let (_, b) = public.get(&format!("/open311/v2/tokens/{}.json", created[0].token)).await;
    assert_eq!(typed::<Vec<TokenAnswer>>(b)[0].service_request_id, number);
    let (_, xml) = public.get_text(&format!("/open311/v2/tokens/{}.xml", created[0].token)).await;
    assert!(xml.contains(&format!("<service_request_id>{number}</service_request_id>")), "{xml}");
    let (s, xml) = public.get_text("/open311/v2/tokens/1-r-000000000000000000000000.xml").await;
    assert!(s == 404 && xml.contains("<errors><error><code>404</code>"), "{xml}");

    // Filters and pages.
    let count = |b: Value| typed::<Vec<ServiceRequest>>(b).len();
    let (_, b) = public.get("/open311/v2/requests.json?page_size=2").await;
    assert_eq!(count(b), 2);
    let (_, b) = public.get("/open311/v2/requests.json?page_size=2&page=2").await;
    assert_eq!(count(b), 1);
    let (_, b) = public.get("/open311/v2/requests.json?status=closed").await;
    assert_eq!(count(b), 0);
    let (_, b) = public.get("/open311/v2/requests.json?service_code=noise").await;
    assert_eq!(count(b), 0);
    let (_, b) = public.get(&format!("/open311/v2/requests.json?service_request_id={number},{with_photo}")).await;
    assert_eq!(count(b), 2);
    let near = format!("lat={}&long={}&radius=200", at.1, at.0);
    let (_, b) = public.get(&format!("/open311/v2/requests.json?{near}")).await;
    assert_eq!(count(b), 3);
    let (_, b) = public.get("/open311/v2/requests.json?bbox=100,20,100.1,20.1").await;
    assert_eq!(count(b), 0);
    let (_, b) = public.get("/open311/v2/requests.json?end_date=2020-01-01T00:00:00Z").await;
    assert_eq!(count(b), 0, "the default window is the 90 days before end_date");
    let (s, b) = public.get("/open311/v2/requests.json?start_date=yesterday").await;
    assert_eq!((s, spec_error(&b)), (400, 400));
    let (_, xml) = public.get_text("/open311/v2/servicerequestupdates.xml").await;
    assert!(xml.contains("<service_request_updates><request_update>") && xml.contains(&with_photo), "{xml}");
    let (_, b) = public.get("/open311/v2/servicerequestupdates.json").await;
    assert!(
        b.as_array().unwrap().iter().any(|u| u["service_request_id"] == with_photo.as_str()
            && u["description"].as_str().is_some_and(|d| d.starts_with("accept"))),
        "{b}"
    );

    // A revoked key stops at once.
    let (s, _) = admin.post(&format!("/api/api-clients/{}/revoke", issued.client.id), &json!({})).await;
    assert_eq!(s, 200);
    let (s, b) = post_form(&public, "/open311/v2/requests.json", &request(&key)).await;
    assert_eq!((s, spec_error(&b)), (403, 403));
}

/// A form's fields.
type Form = Vec<(&'static str, String)>;

/// One Los Angeles 311 request as the city's open data gives it.
#[derive(serde::Deserialize)]
struct LaRequest {
    srnumber: String,
    requesttype: String,
    createddate: String,
    latitude: String,
    longitude: String,
    address: String,
}

/// The real Los Angeles 311 requests of 1–3 January 2020 (10,000) posted through Open311 by a partner importing its
/// history, LA's request types mapped to our services by `tests/data/la311-services.csv`, and every one read back
/// through the request list: the same count, services, positions and times.
#[tokio::test]
async fn the_real_la311_requests_go_in_through_post_and_come_back_through_get() {
    let Some(data) = wangge_tests::shared_data() else { return };
    let app = TestApp::spawn_with_demo().await;
    assert!(app.load_catalogue().await, "the catalogue data is needed");
    let admin = app.sign_in_as("la.admin", Role::DistrictAdmin, Scope::District("990201".parse().unwrap())).await;
    assert_eq!(admin.post("/api/districts", &json!({ "code": "990201", "name": "洛杉矶（测试）" })).await.0, 201);
    assert_eq!(admin.post("/api/streets", &json!({ "code": "990201001", "name": "全市" })).await.0, 201);
    let city = json!({ "type": "Polygon", "coordinates": [[[-118.8, 33.6], [-117.9, 33.6], [-117.9, 34.5],
                                                           [-118.8, 34.5], [-118.8, 33.6]]] });
    let (s, b) =
        admin.post("/api/communities", &json!({ "code": "990201001001", "name": "全市", "geometry": city })).await;
    assert_eq!(s, 201, "{b}");
    let (_, b) = admin.post("/api/api-clients", &json!({ "name": "MyLA311" })).await;
    let key = typed::<IssuedKey>(b).api_key;

    let mapping: std::collections::HashMap<String, String> =
        csv::Reader::from_path(wangge_tests::workspace().join("tests/data/la311-services.csv"))
            .unwrap()
            .deserialize::<(String, String)>()
            .map(Result::unwrap)
            .collect();
    let rows: Vec<LaRequest> = csv::Reader::from_path(data.join("la311/la311_requests_2020.csv"))
        .unwrap()
        .deserialize()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows.len(), 10_000);
    // 1–3 January 2020 in Los Angeles is Pacific Standard Time (UTC−8).
    let pst = chrono::FixedOffset::west_opt(8 * 3600).unwrap();
    let when = |raw: &str| {
        let local = chrono::NaiveDateTime::parse_from_str(raw, "%m/%d/%y %H:%M").unwrap();
        local.and_local_timezone(pst).unwrap().with_timezone(&chrono::Utc)
    };

    // Sixteen clients post at once, each request with its own id (a retry would not duplicate it).
    let public = app.public();
    let mut tasks = tokio::task::JoinSet::new();
    let shares: Vec<Vec<(usize, Form)>> = {
        let mut shares = vec![Vec::new(); 16];
        for (i, r) in rows.iter().enumerate() {
            let mut form = vec![
                ("api_key", key.clone()),
                ("jurisdiction_id", "990201".to_owned()),
                ("service_code", mapping[&r.requesttype].clone()),
                ("address_string", r.address.clone()),
                ("description", format!("{} (LA {})", r.requesttype, r.srnumber)),
                ("requested_datetime", when(&r.createddate).to_rfc3339()),
                ("request_id", r.srnumber.clone()),
            ];
            if !r.latitude.is_empty() && !r.longitude.is_empty() {
                form.push(("lat", r.latitude.clone()));
                form.push(("long", r.longitude.clone()));
            }
            shares[i % 16].push((i, form));
        }
        shares
    };
    for share in shares {
        let public = public.clone();
        tasks.spawn(async move {
            let mut out = Vec::new();
            for (i, form) in share {
                out.push((i, post_form(&public, "/open311/v2/requests.json", &form).await));
            }
            out
        });
    }
    let mut numbers: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut refused = Vec::new();
    while let Some(done) = tasks.join_next().await {
        for (i, (s, b)) in done.unwrap() {
            match s {
                200 => {
                    numbers.insert(typed::<Vec<Created>>(b)[0].service_request_id.clone(), i);
                }
                _ => {
                    assert_eq!(spec_error(&b), 400, "{b}");
                    refused.push(i);
                }
            }
        }
    }
    // The requests without coordinates name an address we cannot place (Wangge holds no LA gazetteer): refused.
    assert!(refused.iter().all(|&i| rows[i].latitude.is_empty()), "only requests without a position are refused");
    assert_eq!(refused.len(), rows.iter().filter(|r| r.latitude.is_empty()).count());
    assert_eq!(numbers.len() + refused.len(), rows.len());

    // Read back, a thousand a page.
    let mut back: Vec<ServiceRequest> = Vec::new();
    for page in 1.. {
        let (s, b) = public
            .get(&format!(
                "/open311/v2/requests.json?jurisdiction_id=990201&start_date=2020-01-01T00:00:00-08:00\
                 &end_date=2020-01-04T00:00:00-08:00&page_size=1000&page={page}"
            ))
            .await;
        assert_eq!(s, 200, "{b}");
        let list: Vec<ServiceRequest> = typed(b);
        if list.is_empty() {
            break;
        }
        back.extend(list);
    }
    assert_eq!(back.len(), numbers.len(), "every posted request comes back, once");
    for r in &back {
        let row = &rows[numbers[&r.service_request_id]];
        assert_eq!(r.service_code, mapping[&row.requesttype], "{}", row.srnumber);
        assert_eq!(
            (r.lat, r.long),
            (row.latitude.parse().unwrap(), row.longitude.parse().unwrap()),
            "{}",
            row.srnumber
        );
        assert_eq!(r.requested_datetime, when(&row.createddate), "{}", row.srnumber);
    }
}
