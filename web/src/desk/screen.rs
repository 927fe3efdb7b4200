//! The screens of the desk app and their URLs: every screen has one, so a link opens it and the back button returns
//! to the one before. Pure: compiled and unit-tested on the host.

/// What the app shows besides the map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    /// The map: staff see the working map, everybody else the public one (`/`).
    Map,
    /// The public map, also for signed-in staff (`/public`).
    Public,
    /// The map with one grid's panel open (`/grids/{id}`).
    Grid(i64),
    /// The grid editor on one community (`/communities/{code}/editor`).
    Editor(String),
    /// The district admin's accounts and audit log (`/admin`).
    Admin,
    /// The case desk: the cases of the caller's scope, filtered, on the map (`/cases`).
    Cases,
    /// One case's page (`/cases/{id}`).
    Case(i64),
    /// Report a problem: category, pin, description, photos (`/cases/new`).
    Report,
    /// Incident density: bins, hot spots, the busiest communities (`/density`).
    Density,
    /// A resident reports a problem, no account needed (`/public/report`).
    PublicReport,
    /// The tracking page of a public report, by its unguessable key (`/track/{token}`).
    Track(String),
}

impl Screen {
    /// The screen at `path`; an unknown path shows the map.
    pub fn parse(path: &str) -> Screen {
        let segments: Vec<&str> = path.trim_matches('/').split('/').filter(|s| !s.is_empty()).collect();
        match segments.as_slice() {
            ["public"] => Screen::Public,
            ["public", "report"] => Screen::PublicReport,
            ["track", token] if !token.is_empty() && token.len() <= 80 => Screen::Track((*token).to_owned()),
            ["admin"] => Screen::Admin,
            ["cases"] => Screen::Cases,
            ["density"] => Screen::Density,
            ["cases", "new"] => Screen::Report,
            ["cases", id] => id.parse().map(Screen::Case).unwrap_or(Screen::Cases),
            ["grids", id] => id.parse().map(Screen::Grid).unwrap_or(Screen::Map),
            ["communities", code, "editor"] if code.len() == 12 && code.bytes().all(|b| b.is_ascii_digit()) => {
                Screen::Editor((*code).to_owned())
            }
            _ => Screen::Map,
        }
    }

    /// The URL path of the screen.
    pub fn path(&self) -> String {
        match self {
            Screen::Map => "/".to_owned(),
            Screen::Public => "/public".to_owned(),
            Screen::Grid(id) => format!("/grids/{id}"),
            Screen::Editor(code) => format!("/communities/{code}/editor"),
            Screen::Admin => "/admin".to_owned(),
            Screen::Cases => "/cases".to_owned(),
            Screen::Case(id) => format!("/cases/{id}"),
            Screen::Report => "/cases/new".to_owned(),
            Screen::Density => "/density".to_owned(),
            Screen::PublicReport => "/public/report".to_owned(),
            Screen::Track(token) => format!("/track/{token}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_screen_round_trips_through_its_path() {
        let all = [
            Screen::Map,
            Screen::Public,
            Screen::Grid(42),
            Screen::Editor("990101001001".into()),
            Screen::Admin,
            Screen::Cases,
            Screen::Case(7),
            Screen::Report,
            Screen::Density,
            Screen::PublicReport,
            Screen::Track("7-r-0123456789abcdef01234567".into()),
        ];
        for s in all {
            assert_eq!(Screen::parse(&s.path()), s, "{}", s.path());
        }
    }

    #[test]
    fn unknown_or_malformed_paths_show_the_map() {
        for p in ["", "/nowhere", "/grids/abc", "/communities/12/editor", "/communities/990101001001", "/admin/x"] {
            assert_eq!(Screen::parse(p), Screen::Map, "{p}");
        }
        assert_eq!(Screen::parse("/grids/7/"), Screen::Grid(7));
    }
}
