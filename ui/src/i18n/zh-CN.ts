import type en from './en'

const zh: typeof en = {
  app: { title: 'Vantage 拨测', logout: '退出登录', language: '语言', loading: '加载中…', live: '实时', offlineLive: '重连中' },
  nav: { overview: '总览', tasks: '任务', instant: '即时拨测', agents: '节点', users: '用户', tokens: 'API 令牌' },
  common: {
    save: '保存', cancel: '取消', create: '创建', edit: '编辑', delete: '删除', revoke: '吊销', refresh: '刷新',
    copy: '复制', copied: '已复制', confirmDelete: '删除 {name}？', confirmRevoke: '吊销 {name}？', yes: '是', no: '否',
    none: '无', name: '名称', status: '状态', labels: '标签', created: '创建时间', expires: '过期时间', role: '角色',
    actions: '操作', enabled: '已启用', disabled: '已停用', online: '在线', offline: '离线', revoked: '已吊销',
    all: '全部', agent: '节点', time: '时间', target: '目标', type: '类型', duration: '耗时', error: '错误',
    saved: '已保存', add: '添加', key: '键', value: '值',
  },
  login: { title: '登录 Vantage', username: '用户名', password: '密码', submit: '登录', failed: '登录失败' },
  overview: {
    agentsOnline: '在线节点', tasks: '任务', enabledTasks: '{n} 个已启用', availability: '可用率（1 小时）',
    recentFailures: '最近失败', liveStream: '实时结果', waiting: '等待结果…', noFailures: '最近一小时无失败',
  },
  tasks: {
    title: '任务', new: '新建任务', latency: '延迟（1 小时）', interval: '间隔', enable: '启用', disable: '停用',
    editTitle: '编辑任务', newTitle: '新建任务', id: 'ID', general: '基本', params: '参数', assertions: '断言',
    timeout: '超时', jitter: '抖动', maxInFlight: '最大并发', selector: '拨测节点', selectorAll: '全部节点',
    selectorLabels: '按标签', selectorAgent: '单个节点',
    dependsOn: '依赖', dependsOnHint: '其故障可解释本任务故障的任务（网关、解析器）', noTasks: '暂无任务', lastStatus: '最近',
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
}
export default zh
