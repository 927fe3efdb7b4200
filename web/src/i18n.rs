//! Interface texts: Chinese first, English second.

/// The interface language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// 中文 (default).
    Zh,
    /// English.
    En,
}

/// A text in the current language.
pub fn t(lang: Lang, key: &str) -> &'static str {
    let (zh, en) = match key {
        "title" => ("网格化管理地图", "Grid governance map"),
        "staff" => ("工作人员", "Staff"),
        "public" => ("公众地图", "Public map"),
        "search" => ("搜索地址、楼栋、单位、网格编码…", "Search address, building, organization, grid code…"),
        "layers" => ("图层", "Layers"),
        "grids" => ("网格", "Grids"),
        "buildings" => ("楼栋", "Buildings"),
        "blocks" => ("地块", "Blocks"),
        "elements" => ("部件与场所", "Facilities & places"),
        "special" => ("专项网格", "Special grids"),
        "legend" => ("图例：户数偏差", "Legend: household deviation"),
        "within10" => ("±10% 以内", "within ±10 %"),
        "within20" => ("±10–20%", "±10–20 %"),
        "beyond" => ("超过 ±20%", "beyond ±20 %"),
        "dedicated" => ("专属网格", "Dedicated grid"),
        "natural" => ("自然网格", "Natural grid"),
        "households" => ("户数", "Households"),
        "residents" => ("人口", "Residents"),
        "deviation" => ("与300户偏差", "Deviation from 300"),
        "code" => ("网格编码", "Grid code"),
        "kind" => ("类型", "Kind"),
        "worker" => ("网格员", "Grid worker"),
        "unassigned" => ("未指派", "not assigned"),
        "located" => ("所在位置", "This place is in"),
        "no_grid" => ("不在任何网格内", "Not inside any grid"),
        "where_am_i" => ("我在哪个网格？", "Which grid am I in?"),
        "click_hint" => ("点击地图任意位置，查看所属网格", "Click anywhere on the map to see its grid"),
        "no_results" => ("没有结果", "No results"),
        "loading" => ("加载中…", "Loading…"),
        "close" => ("关闭", "Close"),
        "street" => ("街道", "Street"),
        "community" => ("社区", "Community"),
        "demo" => ("演示数据（生成）", "Demo data (generated)"),
        "geo_error" => ("无法获取您的位置", "Could not get your location"),
        "registered" => ("登记人口", "Registered residents"),
        "sign_in" => ("登录", "Sign in"),
        "sign_out" => ("退出", "Sign out"),
        "username" => ("用户名", "Username"),
        "password" => ("密码", "Password"),
        "staff_sign_in" => ("工作人员登录", "Staff sign-in"),
        "bad_credentials" => ("用户名或密码错误，或账号已停用", "Wrong username or password, or the account is disabled"),
        "locked" => ("失败次数过多，请15分钟后再试", "Too many failed attempts; try again in 15 minutes"),
        "login_failed" => ("登录失败，请稍后再试", "Sign-in failed; please try again later"),
        "cancel" => ("取消", "Cancel"),
        "role_district_admin" => ("区管理员", "District admin"),
        "role_planner" => ("网格规划员", "Planner"),
        "role_street_operator" => ("街道受理中心", "Street operator"),
        "role_department_handler" => ("职能部门", "Department handler"),
        "role_grid_worker" => ("网格员", "Grid worker"),
        "role_grid_head" => ("网格长", "Grid head"),
        _ => ("?", "?"),
    };
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}
