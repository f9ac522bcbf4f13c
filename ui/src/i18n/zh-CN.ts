import type en from './en'

const zh: typeof en = {
  app: { title: 'Vantage 拨测', logout: '退出登录', language: '语言', loading: '加载中…', live: '实时', offlineLive: '重连中' },
  nav: {
    overview: '总览', tasks: '任务', instant: '即时拨测', agents: '节点', users: '用户', tokens: 'API 令牌',
    alerting: '告警', incidents: '告警事件', rules: '告警规则', silences: '静默', channels: '通知渠道',
  },
  common: {
    save: '保存', cancel: '取消', create: '创建', edit: '编辑', delete: '删除', revoke: '吊销', refresh: '刷新',
    copy: '复制', copied: '已复制', confirmDelete: '删除 {name}？', confirmRevoke: '吊销 {name}？', yes: '是', no: '否',
    none: '无', name: '名称', status: '状态', labels: '标签', created: '创建时间', expires: '过期时间', role: '角色',
    actions: '操作', enabled: '已启用', disabled: '已停用', online: '在线', offline: '离线', revoked: '已吊销',
    all: '全部', agent: '节点', time: '时间', target: '目标', type: '类型', duration: '耗时', error: '错误',
    saved: '已保存', add: '添加', key: '键', value: '值', task: '任务', details: '详情', comment: '备注',
    language: '语言', unknown: '未知', by: '由 {who}',
  },
  login: { title: '登录 Vantage', username: '用户名', password: '密码', submit: '登录', failed: '登录失败' },
  overview: {
    agentsOnline: '在线节点', tasks: '任务', enabledTasks: '{n} 个已启用', availability: '可用率（1 小时）',
    recentFailures: '最近失败', openIncidents: '未恢复的告警', liveStream: '实时结果', waiting: '等待结果…', noFailures: '最近一小时无失败',
  },
  tasks: {
    title: '任务', new: '新建任务', latency: '延迟（1 小时）', interval: '间隔', enable: '启用', disable: '停用',
    editTitle: '编辑任务', newTitle: '新建任务', id: 'ID', general: '基本', params: '参数', assertions: '断言',
    timeout: '超时', jitter: '抖动', maxInFlight: '最大并发', selector: '拨测节点', selectorAll: '全部节点',
    selectorLabels: '按标签', selectorAgent: '单个节点', noTasks: '暂无任务', lastStatus: '最近',
    idHint: '留空则自动生成', targetHint: '目标：{hint}', invalid: '请修正标出的字段',
  },
  assertions: { field: '字段', op: '运算', value: '值', jsonPointer: 'JSON 指针', add: '添加断言', none: '无断言' },
  detail: {
    latency: '延迟趋势', distribution: '延迟分布（SmokePing 风格）', perAgent: '各节点', recent: '最近结果',
    window: '时间范围', p50: 'p50', band: 'p50–p95', loss: '丢包', latencyAxis: '延迟', median: '中位数',
    count: '结果数', availability: '可用率', waterfall: '阶段耗时', noData: '该时间范围内暂无结果',
    lastHour: '最近 1 小时', last6h: '最近 6 小时', lastDay: '最近 24 小时', lastWeek: '最近 7 天',
  },
  instant: {
    title: '即时拨测', probe: '拨测类型', agents: '节点', allAgents: '全部在线节点', byLabels: '按标签',
    run: '立即拨测', results: '结果', waiting: '等待中…', world: '世界', china: '中国', noPlace: '未标注位置的节点（标签 country / province / city）：{n}',
    answered: '已返回 {n} / {total}', noAnswer: '无响应', latency: '延迟',
  },
  agents: {
    title: '节点', version: '版本', plugins: '插件', icmp: 'ICMP', stats: '资源', lastSeen: '最后在线',
    tasks: '任务数', cpu: 'CPU', memory: '内存', spool: '缓存', enrollment: '注册令牌', newToken: '新建注册令牌',
    uses: '可用次数', usesLeft: '剩余次数', expiresIn: '有效期', joinCommand: '在新节点上运行（令牌仅显示这一次）：',
    editLabels: '标签', problems: '问题',
  },
  users: {
    title: '用户', new: '新建用户', username: '用户名', password: '密码', disable: '停用', enable: '启用',
    setPassword: '设置密码', roles: '角色：viewer 只读；operator 还可管理任务和节点；admin 还可管理用户和策略。',
  },
  tokens: {
    title: 'API 令牌', new: '新建 API 令牌', expiresIn: '有效期', lastUsed: '最后使用', owner: '所有者',
    shownOnce: '请立即复制令牌，它只显示这一次：',
  },
  rules: {
    title: '告警规则', new: '新建规则', newTitle: '新建告警规则', editTitle: '编辑告警规则', none: '暂无告警规则',
    watches: '监控对象', condition: '告警条件', scope: '节点范围', timing: '时间', channels: '通知渠道', noChannels: '不通知',
    oneTask: '单个任务', byLabels: '按标签匹配任务', labelsOf: '带标签 {labels} 的任务', missingTask: '{id}（已删除）',
    types: {
      consecutiveFailures: '连续失败', availability: '可用率', latency: '延迟分位数',
      packetLoss: '丢包率', certificateExpiry: '证书到期', assertionFailure: '断言失败',
    },
    fields: {
      count: '连续失败次数', minPercent: '可用率低于（%）', window: '统计窗口', metric: '指标', percentile: '分位数',
      maxMs: '高于（毫秒）', maxPercent: '丢包率高于（%）', confidence: '置信度', minDays: '剩余天数少于',
    },
    describe: {
      consecutiveFailures: '连续失败 {count} 次', availability: '{window} 内可用率低于 {minPercent}%',
      latency: '{window} 内 {metric} 的 p{percentile} 高于 {maxMs} 毫秒', packetLoss: '{window} 内丢包率高于 {maxPercent}%',
      certificateExpiry: '证书剩余不足 {minDays} 天', assertionFailure: '断言失败',
    },
    perAgent: '按节点（多数确认）', merged: '所有节点合并判断', minAgents: '至少几个节点异常',
    minAgentsPercent: '且至少占上报节点的（%）', scopeAgents: '≥ {n} 个节点异常', scopeAgentsPercent: '≥ {n} 个节点且 ≥ {p}% 异常',
    scopeMerged: '所有节点合并', scopeHint: '单个拨测点异常不会告警：需要足够多的节点同时确认。',
    for: '持续异常', forHint: '后触发（0s：立即）', resolveAfter: '持续正常', resolveHint: '后恢复',
    repeatEvery: '提醒间隔', repeatHint: '留空：不重复提醒', timingLine: '异常 {for} 后触发，正常 {resolve} 后恢复',
    remindLine: '每 {every} 提醒一次', metricHint: '如 duration、phase.connect、measurement.rttAvgMs',
    preview: '规则预演', previewWindow: '基于最近 24 小时已存储的结果', previewWaiting: '填写规则后即可预演',
    previewIncidents: '{n} 个告警事件', previewResults: '已判断 {tasks} 个任务的 {n} 条结果',
    previewNone: '暂无匹配的任务', previewTruncated: '结果超过 200,000 条：后面的任务未参与预演',
    previewProblem: '预演还需要', transitions: '状态变化', kinds: { firing: '告警', reminder: '提醒', resolved: '恢复' },
    stillFiring: '仍在告警', fromTo: '{from} – {to}', hoursAgo: '{n} 小时前', now: '现在',
  },
  incidents: {
    title: '告警事件', open: '未恢复', resolved: '已恢复', acknowledged: '已认领', none: '暂无告警事件', noneOpen: '没有未恢复的告警',
    rule: '规则', started: '开始时间', ended: '恢复时间', duration: '持续时间', summary: '概要', acknowledge: '认领',
    addNote: '添加备注', notePlaceholder: '发现了什么、做了什么…', timeline: '事件时间线', badAgents: '异常节点',
    evidence: '触发的拨测结果', silencedBy: '被静默 {id} 拦截：未发送通知', ackBy: '已由 {who} 认领',
    kinds: { firing: '告警', reminder: '提醒', resolved: '恢复', acknowledged: '认领', note: '备注' },
    taskIncidents: '告警', taskRules: '监控此任务的规则', openHere: '未恢复的告警', noRules: '没有规则监控此任务',
    newRule: '添加规则', goneResult: '结果 {id}（已不在存储中）', deletedRule: '已删除的规则',
  },
  channels: {
    title: '通知渠道', new: '新建渠道', newTitle: '新建通知渠道', editTitle: '编辑通知渠道', none: '暂无通知渠道',
    kind: '类型', settings: '配置', test: '发送测试消息', testOk: '已送达（应答 {code}）', testFailed: '未送达（应答 {code}）',
    retryable: '稍后重试可能成功', notRetryable: '按当前配置无法送达', deliveries: '发送记录', attempts: '尝试次数',
    code: '应答', lastError: '最近错误', done: '完成时间', incident: '告警事件', noDeliveries: '尚未发送',
    secretKept: '已保存的密钥：保留 {mask} 即不修改', kinds: {
      email: '邮件', webhook: 'Webhook', dingtalk: '钉钉', feishu: '飞书', wecom: '企业微信', slack: 'Slack', telegram: 'Telegram',
    },
    status: { pending: '待发送', delivered: '已送达', failed: '失败' },
    languages: { zh: '中文', en: 'English' }, languageHint: '通知消息的语言',
    fields: {
      host: 'SMTP 服务器', port: '端口', security: '加密方式', username: '用户名', password: '密码', from: '发件人', to: '收件人',
      heloName: 'EHLO 名称', url: 'Webhook 地址', secret: '加签密钥', atMobiles: "{'@'} 手机号", atUserIds: "{'@'} 用户 ID",
      botToken: 'Bot Token', chatId: 'Chat ID', apiBase: 'Bot API 服务器',
    },
    listHint: '每项输入后回车', adminOnly: '只有管理员可以管理通知渠道。',
  },
  silences: {
    title: '静默与维护窗口', new: '新建静默', none: '暂无静默', rule: '规则', allRules: '全部规则',
    when: '时间', once: '单次', weekly: '每周', range: '起止时间', days: '星期', from: '开始', to: '结束', timeZone: '时区',
    overnight: '结束早于开始时表示跨过午夜。', state: { active: '生效中', upcoming: '未开始', expired: '已结束', weekly: '每周' },
    hint: '静默期间的告警照常记录并注明静默，但不发送通知。',
    weekdays: { mon: '周一', tue: '周二', wed: '周三', thu: '周四', fri: '周五', sat: '周六', sun: '周日' },
  },
}
export default zh
