//! Interface texts: Chinese first, English second.

/// The interface language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// 中文 (default).
    Zh,
    /// English.
    En,
}

/// Every interface text: key, Chinese, English.
pub const TEXTS: &[(&str, &str, &str)] = &[
    ("bad_credentials", "用户名或密码错误，或账号已停用", "Wrong username or password, or the account is disabled"),
    (
        "differ_from_theirs",
        "个地块与对方版本不同（地图上蓝色描边）",
        "blocks differ from their version (outlined in blue on the map)",
    ),
    ("title", "网格化管理地图", "Grid governance map"),
    ("staff", "工作人员", "Staff"),
    ("public", "公众地图", "Public map"),
    ("search", "搜索地址、楼栋、单位、网格编码…", "Search address, building, organization, grid code…"),
    ("layers", "图层", "Layers"),
    ("grids", "网格", "Grids"),
    ("buildings", "楼栋", "Buildings"),
    ("blocks", "地块", "Blocks"),
    ("elements", "部件与场所", "Facilities & places"),
    ("special", "专项网格", "Special grids"),
    ("legend", "图例：户数偏差", "Legend: household deviation"),
    ("within10", "±10% 以内", "within ±10 %"),
    ("within20", "±10–20%", "±10–20 %"),
    ("beyond", "超过 ±20%", "beyond ±20 %"),
    ("dedicated", "专属网格", "Dedicated grid"),
    ("natural", "自然网格", "Natural grid"),
    ("households", "户数", "Households"),
    ("residents", "人口", "Residents"),
    ("deviation", "与300户偏差", "Deviation from 300"),
    ("code", "网格编码", "Grid code"),
    ("kind", "类型", "Kind"),
    ("worker", "网格员", "Grid worker"),
    ("unassigned", "未指派", "not assigned"),
    ("located", "所在位置", "This place is in"),
    ("no_grid", "不在任何网格内", "Not inside any grid"),
    ("where_am_i", "我在哪个网格？", "Which grid am I in?"),
    ("click_hint", "点击地图任意位置，查看所属网格", "Click anywhere on the map to see its grid"),
    ("no_results", "没有结果", "No results"),
    ("loading", "加载中…", "Loading…"),
    ("close", "关闭", "Close"),
    ("street", "街道", "Street"),
    ("community", "社区", "Community"),
    ("demo", "演示数据（生成）", "Demo data (generated)"),
    ("geo_error", "无法获取您的位置", "Could not get your location"),
    ("registered", "登记人口", "Registered residents"),
    ("sign_in", "登录", "Sign in"),
    ("sign_out", "退出", "Sign out"),
    ("username", "用户名", "Username"),
    ("password", "密码", "Password"),
    ("staff_sign_in", "工作人员登录", "Staff sign-in"),
    (
        "locked",
        "此账号在本机失败次数过多，已暂停15分钟",
        "Too many failures for this account from here; paused for 15 minutes",
    ),
    ("slowed", "尝试过于频繁，请稍候几秒再试", "Too many attempts; wait a few seconds and try again"),
    ("login_failed", "登录失败，请稍后再试", "Sign-in failed; please try again later"),
    ("cancel", "取消", "Cancel"),
    ("role_district_admin", "区管理员", "District admin"),
    ("role_planner", "网格规划员", "Planner"),
    ("role_street_operator", "街道受理中心", "Street operator"),
    ("role_department_handler", "职能部门", "Department handler"),
    ("role_grid_worker", "网格员", "Grid worker"),
    ("role_grid_head", "网格长", "Grid head"),
    ("edit_community", "编辑本社区网格", "Edit this community's grids"),
    ("edit_grids", "网格编辑", "Grid editor"),
    ("click", "点选", "Click"),
    ("brush", "刷子", "Brush"),
    ("lasso", "套索", "Lasso"),
    ("accounts", "账号管理", "Accounts"),
    ("account_created", "已创建账号", "Account created:"),
    ("enable", "启用", "Enable"),
    ("disable", "停用", "Disable"),
    ("new_account", "新建账号", "New account"),
    ("display_name", "姓名", "Display name"),
    ("scope_grids", "网格（编码，逗号分隔）", "Grids (codes, comma-separated)"),
    ("scope_district", "全区", "District"),
    ("scope_department", "职能部门", "Department"),
    ("scope_codes", "编码或部门名称", "Code(s) or department name"),
    ("create", "创建", "Create"),
    ("audit_log", "审计日志", "Audit log"),
    ("verify_chain", "校验哈希链", "Verify the hash chain"),
    ("chain_district", "本区审计链", "This district's chain"),
    ("chain_shared", "共享链（跨区与历史）", "Shared chain (all districts, older log)"),
    ("chain_intact", "审计链完整", "Chain intact"),
    ("chain_broken", "审计链被篡改！首个异常条目", "Chain broken! First bad entry"),
    ("anchored_at", "链头已锚定于", "head anchored at"),
    ("reason_hash", "条目内容被修改", "an entry was changed"),
    ("reason_link", "条目被删除或插入", "an entry was removed or inserted"),
    ("reason_sequence", "序号不连续", "sequence numbers skip"),
    ("reason_truncated", "最新条目被删除", "the newest entries were deleted"),
    ("reason_head", "末尾被删除后重写", "the end was cut and rewritten"),
    ("reason_anchor_forged", "链头锚文件被篡改", "the head anchor file was altered"),
    ("entries", "条记录", "entries"),
    ("reveal", "查看", "Reveal"),
    ("reveal_audited", "本次查看已记入审计日志", "This reveal is recorded in the audit log"),
    ("admin", "管理", "Admin"),
    ("polygon", "画专项网格", "Draw special grid"),
    (
        "polygon_hint",
        "依次点击多边形的角（吸附到地块角点与道路）；已点",
        "Click the polygon's corners (they snap to block corners and roads); corners",
    ),
    ("cut", "画线拆分", "Cut along a line"),
    (
        "special_hint",
        "点击地块选入专项网格（可与其他网格重叠）；已选",
        "Click blocks to pick them (special grids may overlap others); picked",
    ),
    ("special_name", "专项网格名称", "Special grid name"),
    ("special_save", "保存专项网格", "Save special grid"),
    ("special_saved", "专项网格已保存", "Special grid saved"),
    ("blocks_word", "个地块", "blocks"),
    ("corners_word", "个角点", "corners"),
    ("theme_safety", "安全生产", "Work safety"),
    ("theme_river", "河长制", "River chief"),
    ("theme_environment", "生态环境", "Environment"),
    ("theme_fire", "消防", "Fire safety"),
    ("history", "版本历史与对比", "Version history and diff"),
    ("from_version", "从版本…", "From version…"),
    ("to_version", "到版本…", "To version…"),
    ("compare", "对比", "Compare"),
    ("border", "拖动边界", "Drag border"),
    ("erase", "擦除", "Erase"),
    ("split", "拆分为楼栋", "Split into buildings"),
    ("new_grid", "新建网格", "New grid"),
    ("undo", "撤销", "Undo"),
    ("redo", "重做", "Redo"),
    ("saved", "已保存", "Saved"),
    ("unsaved", "有未保存的修改", "Unsaved changes"),
    ("saving", "保存中…", "Saving…"),
    ("unassigned_blocks", "个地块未分配网格", "blocks in no grid"),
    ("zoom_to", "定位", "Zoom to"),
    ("pick_grid", "请先在列表中选择一个网格", "Pick a grid in the list first"),
    ("conflict_revision", "其他人已保存了这个草稿。", "Someone else saved this draft meanwhile."),
    ("conflict_published", "其他人已发布了新版本。", "Someone else published a new version meanwhile."),
    ("keep_mine", "我的修改另存为新草稿", "Keep mine as a new draft"),
    ("rebase", "载入对方版本并重新应用我的修改", "Load theirs and re-apply my changes"),
    ("kept_new_draft", "已另存为新草稿", "Kept as a new draft"),
    ("rebased", "已重新应用的地块：", "Blocks re-applied:"),
    ("blocks_change", "个地块变更网格", "blocks change grid"),
    ("households_move", "户随之变更", "households move"),
    ("publish", "发布", "Publish"),
    ("published", "已发布", "Published"),
    ("blocks_marked", "个地块已标红", "blocks marked in red"),
    ("not_publishable", "方案有问题，不能发布：", "The plan cannot be published:"),
    ("problems", "个问题", "problem(s)"),
    ("lock", "锁定", "Lock"),
    ("grid_locked", "已锁", "Locked"),
    ("split_done", "已拆分，块数：", "Split into pieces:"),
    ("policy", "拆分方式", "How to divide"),
    ("policy_hint", "选择方式后点击地块：“建议网格”按此拆分或保留", "Pick a way, then click a block: Suggest grids divides it so or keeps it"),
    ("policy_never", "保持小区完整", "Keep the compound whole"),
    ("policy_always", "总是按楼栋拆分", "Always by building"),
    ("policy_units", "超大楼栋按单元共用", "Share a tower by units"),
    ("policy_auto", "自动（超过半个网格时拆分）", "Automatic (above half a grid)"),
    ("policy_set", "已设定地块", "Set for block"),
    ("save", "保存", "Save"),
    ("import", "导入网格图层", "Import grid layer"),
    ("suggest", "自动划分", "Suggest grids"),
    ("rebalance", "平衡当前网格及相邻网格", "Rebalance this grid's neighbours"),
    ("suggesting", "正在计算划分方案…", "Dividing the community…"),
    ("rebalancing", "正在重新平衡网格…", "Rebalancing grids…"),
    ("rebalance_community", "平衡整个社区（达标网格不动）", "Rebalance the community (keep grids in the band)"),
    ("undo_proposal", "撤销本次划分", "Undo this suggestion"),
    ("proposal_undone", "已恢复划分前的方案", "Back to the plan before the suggestion"),
    ("divided_compounds", "个大型小区已按楼栋拆分", "large compounds divided by building"),
    ("kept_grids", "个网格保持不变", "grids kept as they were"),
    ("moved_households", "户调整了网格", "households moved"),
    ("suggested", "新草稿", "New draft"),
    ("grids_word", "个网格", "grids"),
    ("in_band", "个在 ±10% 户数范围内", "within ±10 % of 300 households"),
    (
        "lumpy_blocks",
        "个地块户数过多、难以均衡，建议拆分为楼栋单元（已标红）",
        "blocks too large to balance: split them into building cells (marked red)",
    ),
    ("pick_grid_first", "请先在列表中选择一个网格", "Pick a grid in the list first"),
    ("imported", "已导入", "Imported"),
    ("between", "个地块落在网格之间", "blocks between grids"),
    ("across", "个地块跨越网格", "blocks across grids"),
    ("import_bad_file", "文件不是有效的 GeoJSON", "The file is not valid GeoJSON"),
    // Cases.
    ("cases", "案件", "Cases"),
    ("case_desk", "案件受理台", "Case desk"),
    ("new_case", "上报问题", "Report a problem"),
    ("all_states", "全部", "All"),
    ("no_cases", "没有符合条件的案件", "No cases match"),
    ("total", "共", "Total"),
    ("reported_at", "上报时间", "Reported"),
    ("due_at", "处置时限至", "Due"),
    ("category", "类别", "Category"),
    ("choose_major", "选择大类", "Choose a class"),
    ("choose_minor", "选择小类", "Choose a category"),
    ("filter_categories", "筛选类别…", "Filter categories…"),
    ("channel", "来源", "Channel"),
    ("description", "问题描述", "Description"),
    ("address", "地址", "Address"),
    ("photos", "照片", "Photos"),
    ("add_photos", "添加照片（最多9张）", "Add photos (up to 9)"),
    ("tap_map", "在地图上点击，标出问题位置", "Tap the map where the problem is"),
    ("pinned_at", "已标出位置：", "Marked at"),
    ("use_gps", "使用我的位置", "Use my location"),
    ("submit", "提交", "Submit"),
    ("submitting", "正在提交…", "Submitting…"),
    ("maybe_same", "附近已有同类未结案件，是否同一问题？", "Open cases of this category nearby: the same problem?"),
    ("case_reported", "已上报，编号", "Reported, number"),
    ("pick_place_category", "请选择类别并在地图上标出位置", "Choose a category and mark the place on the map"),
    ("timeline", "办理记录", "Timeline"),
    ("actions_now", "可办理", "You can"),
    ("opinion", "意见或理由", "Opinion or reason"),
    ("department", "处置部门", "Department"),
    ("by_rules", "按派遣规则", "By the dispatch rules"),
    ("after_photos", "处置后照片", "After-photos"),
    ("limit", "处置时限", "Time limit"),
    ("default_limit", "（默认值，可由区管理员修改）", "(default, editable by the district admin)"),
    ("time_used", "已用时限", "Time used"),
    ("stage_time", "本环节用时", "This stage"),
    ("rework", "返工次数", "Reworks"),
    ("supervised", "督办", "Supervised"),
    ("pending_suspension", "挂账申请待批", "Suspension request pending"),
    ("pending_extension", "延期申请待批", "Extension request pending"),
    ("pending_void", "作废申请待批", "Voiding request pending"),
    ("back_to_list", "返回列表", "Back to the list"),
    ("unit_hours", "小时", "hours"),
    ("unit_working_hours", "工作小时", "working hours"),
    ("unit_working_days", "个工作日", "working days"),
    ("unit_calendar_days", "自然日", "calendar days"),
    ("state_reported", "待受理", "Reported"),
    ("state_self_resolved", "自办待审", "Self-resolved"),
    ("state_accepted", "已受理", "Accepted"),
    ("state_filed", "已立案", "Filed"),
    ("state_escalated", "区中心", "At the district center"),
    ("state_dispatched", "处置中", "Being handled"),
    ("state_handled", "待核查", "Awaiting verification"),
    ("state_suspended", "挂账", "Suspended"),
    ("state_closed", "已结案", "Closed"),
    ("state_rejected", "不予立案", "Rejected"),
    ("state_voided", "已作废", "Voided"),
    ("state_merged", "已合并", "Merged"),
    ("act_self_resolve", "自办自结", "Self-resolve"),
    ("act_review_pass", "审核通过", "Approve"),
    ("act_review_fail", "审核不通过", "Send to the street center"),
    ("act_accept", "受理", "Accept"),
    ("act_reject", "不予立案", "Reject"),
    ("act_file", "立案", "File"),
    ("act_escalate", "上报区中心", "Escalate"),
    ("act_dispatch", "派遣", "Dispatch"),
    ("act_return", "回退", "Return"),
    ("act_handle", "处置反馈", "Report handled"),
    ("act_verify_pass", "核查通过", "Verified"),
    ("act_verify_fail", "核查不通过", "Not fixed"),
    ("act_request_suspension", "申请挂账", "Ask to suspend"),
    ("act_request_extension", "申请延期", "Ask for more time"),
    ("act_approve_request", "批准申请", "Approve the request"),
    ("act_deny_request", "驳回申请", "Deny the request"),
    ("act_resume", "恢复处置", "Resume"),
    ("act_request_void", "申请作废", "Request voiding"),
    ("act_supervise", "督办", "Supervise"),
    ("act_merge", "合并为重复", "Merge as duplicate"),
    ("act_reopen", "群众不满意，重办", "Reopen (resident unsatisfied)"),
    ("light_green", "正常", "On time"),
    ("light_yellow", "预警", "Due soon"),
    ("light_red", "超期", "Overdue"),
    ("channel_patrol", "网格员巡查", "Grid worker patrol"),
    ("channel_public", "群众上报", "Public report"),
    ("channel_hotline", "12345热线", "12345 hotline"),
    ("channel_camera", "视频发现", "Camera"),
    ("channel_leader", "领导批办", "Leader-assigned"),
    ("channel_department", "部门发现", "Department-found"),
    ("channel_imported", "历史导入", "Imported"),
    ("merge_into", "合并到案件编号", "Merge into case id"),
    ("caller_name", "来电人姓名（选填）", "Caller's name (optional)"),
    ("caller_phone", "来电人电话（选填）", "Caller's phone (optional)"),
    ("caller", "来电人（已脱敏）", "Caller (masked)"),
    ("notifications", "提醒", "Notifications"),
    ("kind_yellow", "即将超期", "due soon"),
    ("kind_red", "已超期", "overdue"),
    ("kind_dispatched", "新派遣", "dispatched to you"),
    ("kind_returned", "被回退", "returned"),
    ("kind_handled", "待核查", "to verify"),
    ("kind_request", "待审批", "request to decide"),
    ("waiting_for_me", "待我处理", "Waiting for me"),
    ("stage_limits", "各环节时限", "Stage limits"),
    ("default_mark", "默认", "default"),
    ("density", "事件密度", "Incident density"),
    ("window", "时间范围", "Window"),
    ("days", "天", "days"),
    ("major_class", "大类", "Class"),
    ("any_category", "全部类别", "All categories"),
    ("counts", "数量", "Counts"),
    ("hot_spots", "热点分析", "Hot spots"),
    ("incidents", "件", "incidents"),
    ("bins", "个六边形", "hexagons"),
    ("hot99", "热点（99% 置信）", "Hot spot, 99 % confidence"),
    ("hot95", "热点（95% 置信）", "Hot spot, 95 % confidence"),
    ("hot90", "热点（90% 置信）", "Hot spot, 90 % confidence"),
    ("not_significant", "不显著", "Not significant"),
    ("cold90", "冷点（90% 置信）", "Cold spot, 90 % confidence"),
    ("cold95", "冷点（95% 置信）", "Cold spot, 95 % confidence"),
    ("cold99", "冷点（99% 置信）", "Cold spot, 99 % confidence"),
    (
        "hot_spot_note",
        "热点：该六边形及其相邻六边形的事件数显著高于随机分布（Getis-Ord Gi*，已做错误发现率校正）。",
        "Hot spot: this hexagon and its neighbours hold significantly more incidents than chance would (Getis-Ord Gi*, corrected for the false discovery rate).",
    ),
    ("busiest_communities", "事件最多的社区", "Busiest communities"),
    ("change", "较上期", "Change"),
    ("per_100_households", "每百户", "Per 100 households"),
    ("kind_stage_overdue", "环节超时", "stage overdue"),
    ("kind_unsatisfied", "群众不满意", "resident unsatisfied"),
    ("bulk_dispatch", "按规则派遣所选", "Dispatch the ticked by the rules"),
    ("bulk_done", "已派遣", "Dispatched"),
    ("bulk_failed", "未派遣", "Not dispatched"),
    ("report_problem", "我要报事", "Report a problem"),
    ("pick_place_problem", "请选择问题类型，并在地图上点选位置", "Choose the problem and tap its place on the map"),
    ("which_problem", "遇到了什么问题？", "What is the problem?"),
    ("filter_problems", "搜索问题，如“井盖”“路灯”", "Search, e.g. “manhole”, “street light”"),
    ("is_it_one_of_these", "附近已有人反映，是其中之一吗？", "Already reported nearby — is it one of these?"),
    ("follow_this", "关注这一条", "Follow this one"),
    ("describe_problem", "请描述问题（什么、在哪儿、多严重）", "Describe it (what, where exactly, how bad)"),
    ("contact_optional", "留下联系方式（可选）", "Your contact details (optional)"),
    ("your_name", "您的姓名", "Your name"),
    ("your_phone", "手机号", "Mobile number"),
    ("contact_private", "联系方式加密保存，不会公开，仅工作人员可见（部分隐藏）", "Stored encrypted, never shown publicly; staff see it partly hidden"),
    ("report_number", "事件编号", "Report number"),
    ("expected_by", "预计办结时间", "Expected by"),
    ("your_rating", "您的评价：", "Your rating:"),
    ("rate_result", "问题已办结，请评价处理结果", "It is closed: how was it handled?"),
    ("comment", "意见（可选）", "Comment (optional)"),
    ("keep_link", "请收藏本页链接，随时查看办理进度", "Keep this page's link to follow the report"),
    ("pstatus_received", "已收到，待受理", "Received, waiting to be accepted"),
    ("pstatus_accepted", "已受理", "Accepted"),
    ("pstatus_in_progress", "处理中", "Being handled"),
    ("pstatus_checking", "已处理，核查中", "Handled, being checked on site"),
    ("pstatus_fixed", "已办结", "Fixed"),
    ("pstatus_not_accepted", "不予受理", "Not accepted"),
    ("pstatus_duplicate", "已合并到同一问题", "Merged with the same problem"),
    ("pstatus_withdrawn", "已撤销", "Withdrawn"),
    ("pstep_report", "提交上报", "Reported"),
    ("pstep_accept", "街道受理", "Accepted by the street center"),
    ("pstep_reject", "不予受理", "Not accepted"),
    ("pstep_escalate", "上报区指挥中心", "Sent to the district center"),
    ("pstep_dispatch", "派遣至", "Sent to"),
    ("pstep_handle", "处置完毕", "Handled by"),
    ("pstep_verify_pass", "现场核查通过，结案", "Checked on site and closed"),
    ("pstep_verify_fail", "核查未通过，返工", "Check failed, back to work"),
    ("pstep_merge", "与同一问题合并", "Merged with the same problem"),
    ("pstep_reopen", "因群众不满意重新办理", "Reopened after an unsatisfied rating"),
    ("pstep_rate", "群众评价", "Rated by the resident"),
    ("pstep_void", "撤销", "Withdrawn"),
    ("rating_satisfied", "满意", "Satisfied"),
    ("rating_basically_satisfied", "基本满意", "Mostly satisfied"),
    ("rating_unsatisfied", "不满意", "Unsatisfied"),
    ("public_reports", "群众反映的问题", "Problems reported by residents"),
    ("blur_photos", "照片公开前打码", "Blur photos before they go public"),
    ("blur_hint", "在照片上拖出方框，遮住人脸、车牌或门牌；原图仅工作人员可见", "Drag a box over a face, a number plate or a house number; staff keep the original"),
    ("public_copy", "公开版本", "Public copy"),
    ("emerging", "热点趋势", "Emerging"),
    ("compare_periods", "与上期对比", "Against the period before"),
    ("busiest_areas", "事件最多的", "Busiest"),
    ("grids_by_rate", "网格每百户", "Grids per 100 households"),
    ("grids_coloured", "个网格按每百户事件数着色", "grids coloured by incidents per 100 households"),
    ("grid_history", "逐月事件（跨版本）", "Incidents by month (across versions)"),
    ("grid_history_carried", "浅色：改划前所属网格按迁移份额计入", "light: carried over from the grids it came from, by the share that moved"),
    ("grid_history_households", "各版本户数", "Households by version"),
    ("lineage_note", "与其取代的版本相比，各网格的来历（编码不变者从略）：", "Where each grid came from, against the version it replaced (unchanged grids left out):"),
    ("origin_unchanged", "未变", "unchanged"),
    ("origin_reshaped", "调整", "reshaped"),
    ("origin_split", "拆分自", "split from"),
    ("origin_merged", "合并自", "merged from"),
    ("origin_new", "新建", "new"),
    ("retired_codes", "停用编码（不再发放）：", "Codes retired (never issued again):"),
    ("communities_by_rate", "社区每百户", "Communities per 100 households"),
    ("communities_coloured", "个社区按每百户事件数着色", "communities coloured by incidents per 100 households"),
    ("heat_surface", "放大后以点位热力显示", "drawn as a heat surface at this zoom"),
    ("repeat_places", "反复发生的问题（同一地点同类≥3次）", "Repeat places (same problem, same spot, 3+ times)"),
    ("newest_case", "最新一件", "newest case"),
    ("this_period", "本期", "This period"),
    ("previous_period", "上期", "previous"),
    ("change_up_much", "增加5件以上", "5 or more up"),
    ("change_up", "增加1–4件", "1–4 up"),
    ("change_none", "持平", "no change"),
    ("change_down", "减少1–4件", "1–4 down"),
    ("change_down_much", "减少5件以上", "5 or more down"),
    ("window_end", "截止日期", "Window ends"),
    ("play", "▶ 播放/暂停", "▶ Play/pause"),
    ("click_hexagon", "点击六边形、网格、社区或下表一行，查看其中的案件", "Click a hexagon, a grid, a community or a row below to list its cases"),
    ("cases_here", "件案件（最新50件）", "cases (the newest 50)"),
    ("over_time", "随时间变化（事件最多的五类）", "Over time (the five busiest classes)"),
    ("public_heat", "事件热力（近92天，每格至少5件）", "Incident density (92 days, 5+ per hexagon)"),
    ("publish_density", "在公众地图上发布本区事件热力（每格至少5件，不含敏感类别）", "Publish the district's incident density on the public map (5+ per hexagon, no sensitive categories)"),
    ("emerging_places", "处最近时段的热点", "places hot in the latest slice"),
    ("time_slices", "个时段", "time slices"),
    ("emerging_note", "把时间窗口分为6个时段，对每个时段计算热点（Gi*，空间与前一时段为邻），并用Mann–Kendall检验其趋势；只显示最近时段仍为热点的地方。", "The window is cut into 6 slices; each slice's hot spots are tested (Gi*, neighbours in space and in the slice before) and their trend with Mann–Kendall. Only places hot in the latest slice are shown."),
    ("em_intensifying", "加剧热点：持续为热点且越来越热", "Intensifying: hot almost always, and getting hotter"),
    ("em_persistent", "持续热点：一直是热点，无明显趋势", "Persistent: hot almost always, no trend"),
    ("em_new", "新发热点：仅最近时段为热点", "New: hot in the latest slice only"),
    ("em_consecutive", "连续热点：最近几个时段连续为热点", "Consecutive: hot in the latest few slices in a row"),
    ("em_diminishing", "减弱热点：持续为热点但在降温", "Diminishing: hot almost always, but cooling"),
    ("em_sporadic", "零星热点：时有时无，从未为冷点", "Sporadic: on and off, never cold"),
    ("em_oscillating", "振荡热点：曾为冷点，现为热点", "Oscillating: once cold, now hot"),
];

const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Whether `key` names a text (usable in constants: [`tr!`](crate::tr) refuses unknown keys at compile time).
pub const fn known(key: &str) -> bool {
    let mut i = 0;
    while i < TEXTS.len() {
        if same(TEXTS[i].0, key) {
            return true;
        }
        i += 1;
    }
    false
}

/// The text of a literal key in the current language; an unknown key does not compile.
#[macro_export]
macro_rules! tr {
    ($lang:expr, $key:literal) => {{
        const _: () = assert!($crate::kit::i18n::known($key), concat!("no interface text for key ", $key));
        $crate::kit::i18n::t($lang, $key)
    }};
}

/// A text in the current language, by a key computed at run time (`?` when there is none; literal keys go
/// through [`tr!`](crate::tr) and are checked when compiling).
pub fn t(lang: Lang, key: &str) -> &'static str {
    let Some((_, zh, en)) = TEXTS.iter().find(|(k, _, _)| *k == key) else { return "?" };
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_both_texts_once() {
        for (i, (key, zh, en)) in TEXTS.iter().enumerate() {
            assert!(!zh.is_empty() && !en.is_empty(), "{key}");
            assert!(!TEXTS[..i].iter().any(|(k, _, _)| k == key), "{key} twice");
        }
        assert!(known("households") && !known("no-such-key"));
        // Texts looked up at run time from the domain's names.
        use wangge_domain::case::workflow::CaseAction;
        use wangge_domain::case::{CaseState, Channel, Light, LimitUnit};
        let names = CaseState::ALL
            .iter()
            .map(|s| format!("state_{s}"))
            .chain(CaseAction::ALL.iter().map(|a| format!("act_{a}")))
            .chain(Light::ALL.iter().map(|l| format!("light_{l}")))
            .chain(Channel::ALL.iter().map(|c| format!("channel_{c}")))
            .chain(LimitUnit::ALL.iter().map(|u| format!("unit_{u}")))
            .chain(wangge_api::cases::NotificationKind::ALL.iter().map(|k| format!("kind_{}", k.as_str())))
            .chain(wangge_domain::case::PublicStatus::ALL.iter().map(|s| format!("pstatus_{s}")))
            .chain(wangge_domain::case::Rating::ALL.iter().map(|r| format!("rating_{r}")));
        // Every emerging category the density view draws has its legend text.
        assert!([
            "em_intensifying",
            "em_persistent",
            "em_new",
            "em_consecutive",
            "em_diminishing",
            "em_sporadic",
            "em_oscillating"
        ]
        .iter()
        .all(|k| known(k)));
        for key in names {
            assert!(TEXTS.iter().any(|(k, _, _)| *k == key), "no text for {key}");
        }
        assert_eq!(t(Lang::Zh, "households"), "户数");
        assert_eq!(t(Lang::En, "no-such-key"), "?");
    }
}
