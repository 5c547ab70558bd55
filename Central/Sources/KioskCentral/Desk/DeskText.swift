import Foundation
import KioskCore

/// The desk's language: Chinese unless the person chose English (`?lang=en`, remembered in a
/// cookie).
public enum DeskLanguage: String, Sendable {
    case zh, en

    var htmlTag: String { self == .zh ? "zh-CN" : "en" }
    var catalogLanguage: Language { self == .zh ? .chinese : .english }
}

/// Every word the desk shows, in both languages. Reasons and root causes come from the kiosk's
/// message catalogs (`--catalog-dir`), service names from the site's published configuration.
struct DeskText: Sendable {
    let language: DeskLanguage

    func callAsFunction(_ key: String, _ arguments: [String: String] = [:]) -> String {
        var text = (language == .zh ? Self.zh[key] : Self.en[key]) ?? Self.en[key] ?? key
        for (name, value) in arguments { text = text.replacingOccurrences(of: "{\(name)}", with: value) }
        return text
    }

    static let en: [String: String] = [
        "title": "Case desk",
        "nav.open": "Open cases", "nav.mine": "My cases", "nav.figures": "Figures", "nav.logout": "Sign out",
        "nav.language": "中文",
        "login.title": "Sign in to the case desk", "login.name": "Account", "login.password": "Password",
        "login.submit": "Sign in",
        "login.wrong": "Wrong account name or password. Check both and try again (after 5 failures the account is locked for 15 minutes).",
        "login.limited.name": "Too many failed sign-ins for this account. Try again in {time}, or ask an admin to reset the password (`kiosk-central admin user reset`).",
        "login.limited.address": "Too many failed sign-ins from this device. Try again in {time}.",
        "login.expired": "Your session ended. Sign in again.",
        "search.label": "Reference", "search.submit": "Find", "search.placeholder": "R20261203-001",
        "search.none": "No case {ref} at your sites. Check the reference on the slip (R, the date, a dash, the number).",
        "list.title": "Open cases", "list.mine": "My cases", "list.empty": "No open cases. Well done.",
        "list.sorted": "Sorted by the nearest deadline.",
        "col.ref": "Reference", "col.site": "Site", "col.service": "Service", "col.reason": "Reported",
        "col.status": "Status", "col.assignee": "Handler", "col.deadline": "Next deadline", "col.left": "Time left",
        "deadline.reply": "reply by", "deadline.resolve": "resolve by", "deadline.none": "—",
        "mark.overdue": "overdue", "mark.risk": "at risk", "mark.ok": "on time",
        "status.received": "Received", "status.handling": "Being handled", "status.resolved": "Resolved",
        "status.closed": "Closed",
        "severity.ordinary": "ordinary", "severity.serious": "serious",
        "unassigned": "not assigned",
        "case.title": "Case {ref}", "case.visit": "The visit", "case.ticket": "Ticket", "case.service": "Service",
        "case.counter": "Counter", "case.staff": "Staff member", "case.wait": "Wait", "case.rating": "Rating",
        "case.reason": "Reported", "case.opened": "Opened", "case.replyBy": "First reply by",
        "case.resolveBy": "Resolve by", "case.firstReply": "First reply", "case.resolved": "Resolved",
        "case.rootCause": "Root cause", "case.closed": "Closed", "case.verdict": "Resident's verdict",
        "case.reopens": "Reopened", "case.site": "Site", "case.kiosk": "Kiosk", "case.severity": "Severity",
        "case.assignee": "Handler", "case.escalations": "Escalations",
        "case.contact": "Call-back number", "contact.none": "none given", "contact.show": "Show the number (the view is recorded)",
        "contact.logged": "(this view is recorded in the timeline)", "contact.erased": "(erased)",
        "contact.site-only": "(only the site's handlers see the number)",
        "event.case.contact-asked": "Call-back number asked", "event.case.contact-given": "Call-back number given",
        "event.case.contact-skipped": "No call-back number", "event.case.contact-viewed": "Call-back number viewed",
        "event.case.contact-erased": "Call-back number erased",
        "event.case.resident-notified": "Message to the resident: {level} ({outcome})",
        "rating.1": "Very satisfied", "rating.2": "Satisfied", "rating.3": "Fair", "rating.4": "Dissatisfied",
        "rating.none": "visit marked unresolved",
        "timeline": "Timeline", "timeline.who": "by {who}", "timeline.where": "at {where}",
        "event.case.opened": "Opened", "event.case.assigned": "Assigned to {assignee}",
        "event.case.contacted": "Contacted the resident ({channel})", "event.case.resolved": "Resolved",
        "event.case.closed.yes": "Closed: the resident is satisfied",
        "event.case.closed.no": "The resident is not satisfied: reopened", "event.case.reopened": "Reopened",
        "event.case.escalated": "Escalation: {level}", "event.case.alert-acknowledged": "Alert acknowledged: {level}",
        "level.reply.near": "first reply due soon", "level.reply.overdue": "first reply overdue",
        "level.resolve.near": "resolution due soon", "level.resolve.overdue": "resolution overdue",
        "level.resident.received": "received", "level.resident.replied": "replied", "level.resident.resolved": "resolved",
        "level.resident.apology": "apology",
        "channel.phone": "phone", "channel.visit": "visit", "channel.sms": "SMS", "channel.counter": "at the counter",
        "actions": "Actions", "act.assign": "Assign", "act.assign.me": "Take it myself", "act.assign.to": "Assign to",
        "act.contact": "Record contact", "act.channel": "Channel", "act.note": "Note",
        "act.resolve": "Resolve", "act.rootCause": "Root cause", "act.close": "Close with the resident's verdict",
        "act.satisfied": "Satisfied", "act.unsatisfied": "Not satisfied (reopens)", "act.reopen": "Reopen",
        "act.none": "Closed: nothing left to do. Reopen it if the resident comes back.",
        "act.done": "Saved.", "act.duplicate": "This form was already submitted; it was applied once.",
        "act.noteNeeded": "Write a note: what was done or agreed.",
        "act.badChannel": "Choose how you reached the resident.",
        "act.badCause": "Choose a root cause from the list.",
        "act.badAssignee": "{name} cannot work on this site's cases; choose someone from the list.",
        "act.notNow": "This case is {status}; that action does not apply now.",
        "csrf.title": "This form has expired",
        "csrf.body": "The page was open too long, or the form came from elsewhere. Go back, reload the page and submit again.",
        "notfound.title": "Not found", "notfound.body": "There is no such case at your sites.",
        "figures.title": "Figures for continuous improvement",
        "figures.note": "Cases opened {count}, over every case your sites hold.",
        "figures.replyInTime": "First reply within deadline", "figures.resolvedInTime": "Resolved within deadline",
        "figures.reopened": "Reopened", "figures.satisfaction": "Satisfied with the handling",
        "figures.medianReply": "Median time to first reply", "figures.medianResolve": "Median time to resolution",
        "figures.overdue": "Overdue now", "figures.byReason": "By reason, service and month",
        "figures.byCause": "By root cause, service and month", "figures.byHandler": "Per handler",
        "figures.month": "Month", "figures.count": "Cases", "figures.handler": "Handler",
        "figures.assigned": "Assigned", "figures.resolved": "Resolved", "figures.open": "Open",
        "figures.none": "no cases yet",
        "minutes.short": "{n} min", "hours.short": "{h} h {m} min", "days.short": "{d} d {h} h",
        "left.overdue": "{t} overdue", "left.remaining": "{t} left",
        "signedIn": "Signed in as {name}",
    ]

    static let zh: [String: String] = [
        "title": "跟进单工作台",
        "nav.open": "待处理", "nav.mine": "我的跟进单", "nav.figures": "统计", "nav.logout": "退出",
        "nav.language": "English",
        "login.title": "登录跟进单工作台", "login.name": "账号", "login.password": "密码", "login.submit": "登录",
        "login.wrong": "账号或密码不正确，请检查后重试（连续失败 5 次，账号锁定 15 分钟）。",
        "login.limited.name": "该账号登录失败次数过多，请 {time}后再试，或请管理员重置密码（kiosk-central admin user reset）。",
        "login.limited.address": "此设备登录失败次数过多，请 {time}后再试。",
        "login.expired": "登录已过期，请重新登录。",
        "search.label": "跟进单号", "search.submit": "查找", "search.placeholder": "R20261203-001",
        "search.none": "您负责的站点没有跟进单 {ref}。请核对单据上的编号（R、日期、短横线、序号）。",
        "list.title": "待处理跟进单", "list.mine": "我的跟进单", "list.empty": "没有待处理的跟进单。",
        "list.sorted": "按最近的期限排序。",
        "col.ref": "单号", "col.site": "站点", "col.service": "业务", "col.reason": "反映问题", "col.status": "状态",
        "col.assignee": "负责人", "col.deadline": "最近期限", "col.left": "剩余时间",
        "deadline.reply": "回复期限", "deadline.resolve": "办结期限", "deadline.none": "—",
        "mark.overdue": "已超时", "mark.risk": "即将超时", "mark.ok": "正常",
        "status.received": "已受理", "status.handling": "处理中", "status.resolved": "已解决", "status.closed": "已办结",
        "severity.ordinary": "一般", "severity.serious": "严重",
        "unassigned": "未分派",
        "case.title": "跟进单 {ref}", "case.visit": "来访记录", "case.ticket": "票号", "case.service": "业务",
        "case.counter": "窗口", "case.staff": "服务人员", "case.wait": "等候", "case.rating": "评价",
        "case.reason": "反映问题", "case.opened": "受理时间", "case.replyBy": "首次回复期限",
        "case.resolveBy": "办结期限", "case.firstReply": "首次回复", "case.resolved": "解决时间",
        "case.rootCause": "根本原因", "case.closed": "办结时间", "case.verdict": "业主评价",
        "case.reopens": "重开次数", "case.site": "站点", "case.kiosk": "终端", "case.severity": "等级",
        "case.assignee": "负责人", "case.escalations": "升级提醒",
        "case.contact": "回访电话", "contact.none": "未留", "contact.show": "查看号码（将记录查看）",
        "contact.logged": "（本次查看已记入处理记录）", "contact.erased": "（已删除）",
        "contact.site-only": "（仅本项目处理人可查看号码）",
        "event.case.contact-asked": "询问回访电话", "event.case.contact-given": "留下回访电话",
        "event.case.contact-skipped": "未留回访电话", "event.case.contact-viewed": "查看回访电话",
        "event.case.contact-erased": "删除回访电话",
        "event.case.resident-notified": "发给业主的短信：{level}（{outcome}）",
        "rating.1": "非常满意", "rating.2": "满意", "rating.3": "一般", "rating.4": "不满意",
        "rating.none": "窗口标记未解决",
        "timeline": "处理记录", "timeline.who": "{who}", "timeline.where": "于 {where}",
        "event.case.opened": "受理", "event.case.assigned": "分派给 {assignee}",
        "event.case.contacted": "联系业主（{channel}）", "event.case.resolved": "已解决",
        "event.case.closed.yes": "办结：业主满意", "event.case.closed.no": "业主不满意：重新处理",
        "event.case.reopened": "重新处理",
        "event.case.escalated": "升级提醒：{level}", "event.case.alert-acknowledged": "提醒已确认：{level}",
        "level.reply.near": "即将超过回复期限", "level.reply.overdue": "已超过回复期限",
        "level.resolve.near": "即将超过办结期限", "level.resolve.overdue": "已超过办结期限",
        "level.resident.received": "受理通知", "level.resident.replied": "答复通知", "level.resident.resolved": "办结通知",
        "level.resident.apology": "致歉说明",
        "channel.phone": "电话", "channel.visit": "上门", "channel.sms": "短信", "channel.counter": "窗口面谈",
        "actions": "处理", "act.assign": "分派", "act.assign.me": "由我负责", "act.assign.to": "分派给",
        "act.contact": "记录联系", "act.channel": "方式", "act.note": "说明",
        "act.resolve": "解决", "act.rootCause": "根本原因", "act.close": "按业主评价办结",
        "act.satisfied": "满意", "act.unsatisfied": "不满意（重新处理）", "act.reopen": "重新处理",
        "act.none": "已办结。业主再次反映时可重新处理。",
        "act.done": "已保存。", "act.duplicate": "此表单已提交过，只记录一次。",
        "act.noteNeeded": "请填写说明：做了什么、约定了什么。",
        "act.badChannel": "请选择联系业主的方式。",
        "act.badCause": "请从列表中选择根本原因。",
        "act.badAssignee": "{name} 不负责此站点，请从列表中选择。",
        "act.notNow": "此跟进单{status}，该操作现在不适用。",
        "csrf.title": "表单已失效",
        "csrf.body": "页面打开时间过长，或表单来自其他网站。请返回、刷新页面后重新提交。",
        "notfound.title": "未找到", "notfound.body": "您负责的站点没有这个跟进单。",
        "figures.title": "持续改进统计",
        "figures.note": "共受理 {count} 件，统计范围为您负责站点的全部跟进单。",
        "figures.replyInTime": "按期首次回复率", "figures.resolvedInTime": "按期解决率", "figures.reopened": "重开率",
        "figures.satisfaction": "处理满意率", "figures.medianReply": "首次回复时间中位数",
        "figures.medianResolve": "解决时间中位数", "figures.overdue": "当前超时",
        "figures.byReason": "按反映问题、业务和月份", "figures.byCause": "按根本原因、业务和月份",
        "figures.byHandler": "按负责人", "figures.month": "月份", "figures.count": "件数", "figures.handler": "负责人",
        "figures.assigned": "负责", "figures.resolved": "已解决", "figures.open": "未解决",
        "figures.none": "暂无跟进单",
        "minutes.short": "{n} 分钟", "hours.short": "{h} 小时 {m} 分", "days.short": "{d} 天 {h} 小时",
        "left.overdue": "超时 {t}", "left.remaining": "剩余 {t}",
        "signedIn": "{name} 已登录",
    ]

    /// A length of time for people: "25 min", "3 h 5 min", "2 d 4 h".
    func duration(_ seconds: TimeInterval) -> String {
        let minutes = Int((abs(seconds) / 60).rounded(.down))
        if minutes < 60 { return self("minutes.short", ["n": "\(minutes)"]) }
        if minutes < 48 * 60 { return self("hours.short", ["h": "\(minutes / 60)", "m": "\(minutes % 60)"]) }
        return self("days.short", ["d": "\(minutes / 1440)", "h": "\((minutes % 1440) / 60)"])
    }
}
