"""The Chinese catalogue of the web application: every word a user reads that is not in a
template's static text (messages, role names, audit actions, legends, error texts).

Templates hold the pages' fixed Chinese wording; everything computed or shared lives here.
"""

from __future__ import annotations

from jiyue.codes import BUILD_CLASSES, SUPPLY_CLASSES
from jiyue.codes import EVAL_TYPE_LABELS

EVAL_TYPES = EVAL_TYPE_LABELS  # the evaluation types' names, as the pages show them

ROLE_LABELS = {
    "admin": "系统管理员",
    "bureau": "分局/经信局工作人员",
    "inspector": "核查人员",
    "enterprise": "企业用户",
    "viewer": "只读用户",
}

PERMISSION_LABELS = {
    "view_zone": "查看开发区总览、地图与宗地卡片",
    "view_enterprises": "查看所有企业档案",
    "view_ledger": "查看闲置土地处置台账",
    "edit_ledger": "台账立项、制定方案、登记进展、销号",
    "upload": "上传、校验并导入数据包",
    "reports": "下载报表",
    "answer_objections": "答复企业异议",
    "confirm_own": "确认本企业数据与评价结果",
    "object_own": "对本企业评价结果提出异议",
    "manage_users": "管理用户",
    "view_audit": "查看审计日志",
    # safety-production hazard ledger
    "view_safety": "查看安全生产隐患台账与统计",
    "record_safety": "登记检查、隐患、整改措施、复查与执法措施",
    "close_safety": "隐患销号",
    "submit_rectification": "提交本企业隐患的整改材料",
}

LEVELS = {"national": "国家级", "provincial": "省级"}
CATEGORIES = {"etdz": "经济技术开发区", "htz": "高新技术产业开发区", "customs": "海关特殊监管区域",
              "border": "边境经济合作区", "other": "其他"}

AUDIT_ACTIONS = {
    "login.ok": "登录成功",
    "login.failed": "登录失败",
    "login.throttled": "登录被限制（失败次数过多）",
    "logout": "退出登录",
    "password.change": "修改密码",
    "password.wrong": "修改密码时当前密码错误",
    "password.throttled": "修改密码被限制（当前密码错误次数过多）",
    "user.create": "创建用户",
    "user.update": "修改用户",
    "user.bootstrap": "初始化管理员",
    "user.reset_from_env": "按环境变量重置管理员密码",
    "upload.validate": "上传并校验数据包",
    "upload.import": "导入数据包",
    "upload.import_refused": "拒绝导入（数据有错误）",
    "enterprise.confirm": "企业确认数据/结果",
    "objection.file": "企业提出异议",
    "objection.answer": "答复异议",
    "ledger.open": "台账立项",
    "ledger.plan": "制定处置方案",
    "ledger.progress": "登记处置进展",
    "ledger.close": "销号",
    "write.refused": "拒绝写操作（防伪令牌无效、无权限或上传文件不被接受）",
    "ledger.close_refused": "拒绝销号（缺少证明材料或复核人不符合要求）",
    # safety-production hazard ledger
    "safety.campaign": "建立安全生产专项行动", "safety.inspect": "登记安全检查", "safety.found": "登记隐患",
    "safety.rectify": "制定隐患整改措施", "safety.submit": "企业提交整改材料", "safety.reinspect": "隐患复查",
    "safety.close": "隐患销号", "safety.escalate": "隐患逾期升级", "safety.enforce": "登记执法措施",
    "safety.import": "导入安全隐患台账", "safety.refused": "拒绝隐患台账操作", "safety.forbidden": "越权操作隐患台账（已拒绝）",
}

# map colour modes: mode -> (label, [(value, label, colour)])
BUILD_GROUP_COLOURS = [
    ("A1", "住宅用地", "#f2c14e"), ("A2", "工矿仓储用地", "#b5651d"), ("A3", "交通运输用地", "#9e9e9e"),
    ("A4", "商服用地", "#e0475b"), ("A5", "公共管理与公共服务用地", "#4f9bd9"), ("A6", "其他城镇建设用地", "#b39ddb"),
    ("B1", "已建成农村建设用地", "#c5a880"), ("B21", "已达到供地条件的其他土地", "#9ccc65"),
    ("B22", "未达到供地条件的其他土地", "#dcedc8"), ("C", "不可建设土地", "#80cbc4"),
]
SUPPLY_COLOURS = [
    ("D1", SUPPLY_CLASSES["D1"], "#3f6fb5"), ("D21", SUPPLY_CLASSES["D21"], "#7fa7e0"),
    ("D22", SUPPLY_CLASSES["D22"], "#c2185b"), ("E1", SUPPLY_CLASSES["E1"], "#aed581"),
    ("E21", SUPPLY_CLASSES["E21"], "#fbc02d"), ("E22", SUPPLY_CLASSES["E22"], "#ffe082"),
    ("F", SUPPLY_CLASSES["F"], "#bdbdbd"),
]
IDLE_COLOURS = [("1", "闲置", "#d32f2f"), ("0", "未闲置", "#c8e6c9")]
MUJUN_COLOURS = [("A", "A类（优先发展）", "#2e7d32"), ("B", "B类（支持发展）", "#8bc34a"),
                 ("C", "C类（提升发展）", "#ffb300"), ("D", "D类（限制发展）", "#d84315"),
                 ("T", "暂不评价", "#90a4ae")]
NO_VALUE_COLOUR = "#eeeeee"

MAP_MODES = {
    "build": "建设状况",
    "supply": "供应状况",
    "idle": "闲置状况",
    "mujun": "使用权人亩均等级",
}

BUILD_LABELS = BUILD_CLASSES
SUPPLY_LABELS = SUPPLY_CLASSES

ENGINE_MISSING = {
    "mujun": "亩均效益评价模块尚未安装，暂无评价结果。",
    "idle": "闲置土地认定模块尚未安装，显示的是数据包中登记的闲置状况。",
    "ledger": "闲置土地处置台账模块尚未安装。",
    "standard_land": "标准地核查模块尚未安装。",
    "pdf": "PDF 报告模块尚未安装。",
}

# --------------------------------------------------------------------------- messages
MSG = {
    "login_required": "请先登录。",
    "login_failed": "用户名或密码不正确。",
    "login_throttled": "登录失败次数过多，请 {minutes} 分钟后再试。",
    "login_form_expired": "登录页面已过期，请刷新后重试。",
    "csrf_failed": "请求缺少有效的防伪令牌（CSRF），已拒绝。请刷新页面后重试。",
    "forbidden": "您的账号无权执行此操作。",
    "forbidden_enterprise": "您只能查看和确认本企业的数据。",
    "not_found": "没有找到您要的内容。",
    "zone_not_found": "没有开发区「{zone}」的数据。",
    "parcel_not_found": "开发区「{zone}」中没有宗地「{parcel}」。",
    "enterprise_not_found": "没有企业「{enterprise}」。",
    "no_data": "数据库中还没有任何开发区的数据，请先上传并导入数据包。",
    "bad_request": "请求参数不正确：{detail}",
    "internal": "服务器内部错误，已记录。请稍后重试或联系管理员。",
    "too_large": "文件太大：上限为 {limit} MB。",
    "bad_type": "文件类型不被接受：{found}；可接受：{expected}。",
    "bad_content": "文件内容与扩展名「{suffix}」不符（不是有效的 {kind} 文件）。",
    "zip_unsafe": "压缩包不安全或过大：{reason}。",
    "empty_file": "上传的文件是空的。",
    "no_file": "请选择要上传的文件。",
    "upload_not_found": "没有这次上传（可能已过期），请重新上传。",
    "upload_has_errors": "数据包有 {errors} 个错误，不能导入；请修正后重新上传。数据库未作任何修改。",
    "upload_already_imported": "这次上传已经导入过（导入批次 {import_id}）。",
    "import_conflict": "{message}",
    "imported": "已导入：开发区 {zones}，{year} 年度，导入批次 {import_id}。",
    "password_changed": "密码已修改。",
    "password_wrong": "当前密码不正确。",
    "password_throttled": "当前密码输错次数过多，请 {minutes} 分钟后再试。",
    "user_exists": "用户名「{username}」已存在。",
    "username_bad": "用户名只能包含字母、数字、下划线、点和短横线，长度 2–40。",
    "role_bad": "未知角色「{role}」。",
    "enterprise_required": "企业用户必须关联一个已有的企业编号。",
    "last_admin": "不能停用或降级最后一个管理员。",
    "user_saved": "用户「{username}」已保存。",
    "confirmed": "已确认 {year} 年度{what}。",
    "objection_filed": "异议已提交，编号 {objection_id}。",
    "objection_answered": "异议 {objection_id} 已答复。",
    "objection_not_found": "没有异议 {objection_id}。",
    "objection_decided": "异议 {objection_id} 已经答复，答复不能更改。",
    "text_required": "请填写{what}。",
    "text_too_long": "{what}不能超过 {limit} 个字符。",
    "evidence_required": "销号必须上传证明材料（如验收报告、现场照片）。",
    "reviewer_required": "请从列表中选择复核人：须为本人以外、有权核查销号的在用账号（核查人员、分局工作人员或管理员）。",
    "ledger_saved": "已保存。",
    "ledger_closed": "已销号。",
    "ledger_item_not_found": "台账中没有事项「{item}」。",
    "ledger_state": "{message}",
    "engine_error": "{engine}模块计算出错，详情已记入服务器日志；请稍后重试或联系管理员。",
}

PLAN_FIELDS = {
    "option_label": "处置方式", "start": "开始日期", "until": "截止日期", "new_start": "新约定动工日期",
    "new_completion": "新约定竣工日期", "agreement_date": "补充协议签订日期", "new_use": "新用途",
    "description": "说明", "compensation_wan": "补偿金额（万元）", "price_paid": "土地价款已缴清",
    "funds_in_place": "项目资金已落实",
}
PROGRESS_FIGURES = {
    "area_revitalised_m2": "盘活面积（平方米）", "fee_collected_wan": "已征闲置费（万元）",
    "penalty_collected_wan": "已收违约金（万元）", "recovered_area_m2": "收回面积（平方米）",
    "invested_wan": "新增投资（万元）",
}

CONFIRM_WHAT = {"data": "基础数据", "result": "评价结果"}
OBJECTION_STATUS = {"open": "待答复", "accepted": "已采纳", "rejected": "未采纳"}
