export default {
  app: { title: 'Vantage', logout: 'Log out', language: 'Language', loading: 'Loading…', live: 'live', offlineLive: 'reconnecting' },
  nav: { overview: 'Overview', tasks: 'Tasks', instant: 'Instant test', agents: 'Agents', users: 'Users', tokens: 'API tokens' },
  common: {
    save: 'Save', cancel: 'Cancel', create: 'Create', edit: 'Edit', delete: 'Delete', revoke: 'Revoke', refresh: 'Refresh',
    copy: 'Copy', copied: 'Copied', confirmDelete: 'Delete {name}?', confirmRevoke: 'Revoke {name}?', yes: 'Yes', no: 'No',
    none: 'none', name: 'Name', status: 'Status', labels: 'Labels', created: 'Created', expires: 'Expires', role: 'Role',
    actions: 'Actions', enabled: 'Enabled', disabled: 'Disabled', online: 'online', offline: 'offline', revoked: 'revoked',
    all: 'All', agent: 'Agent', time: 'Time', target: 'Target', type: 'Type', duration: 'Duration', error: 'Error',
    saved: 'Saved', add: 'Add', key: 'Key', value: 'Value',
  },
  login: { title: 'Sign in to Vantage', username: 'Username', password: 'Password', submit: 'Sign in', failed: 'Sign-in failed' },
  overview: {
    agentsOnline: 'Agents online', tasks: 'Tasks', enabledTasks: '{n} enabled', availability: 'Availability (1 h)',
    recentFailures: 'Recent failures', liveStream: 'Live results', waiting: 'Waiting for results…', noFailures: 'No failures in the last hour',
  },
  tasks: {
    title: 'Tasks', new: 'New task', latency: 'Latency (1 h)', interval: 'Interval', enable: 'Enable', disable: 'Disable',
    editTitle: 'Edit task', newTitle: 'New task', id: 'Id', general: 'General', params: 'Parameters', assertions: 'Assertions',
    timeout: 'Timeout', jitter: 'Jitter', maxInFlight: 'Max in flight', selector: 'Agents', selectorAll: 'All agents',
    selectorLabels: 'By labels', selectorAgent: 'One agent',
    dependsOn: 'Depends on', dependsOnHint: 'Tasks whose failure explains this one\'s (a gateway, a resolver)', noTasks: 'No tasks yet', lastStatus: 'Last',
    idHint: 'Leave empty for a generated id', targetHint: 'Target: {hint}', invalid: 'Please fix the marked fields',
  },
  assertions: { field: 'Field', op: 'Op', value: 'Value', jsonPointer: 'JSON pointer', add: 'Add assertion', none: 'No assertions' },
  detail: {
    latency: 'Latency over time', distribution: 'Distribution (SmokePing style)', perAgent: 'Per agent', recent: 'Recent results',
    window: 'Window', p50: 'p50', band: 'p50–p95', loss: 'Loss', latencyAxis: 'Latency', median: 'Median',
    count: 'Results', availability: 'Availability', waterfall: 'Phases', noData: 'No results in this window yet',
    lastHour: 'Last hour', last6h: 'Last 6 hours', lastDay: 'Last 24 hours', lastWeek: 'Last 7 days',
  },
  instant: {
    title: 'Instant test', probe: 'Probe', agents: 'Agents', allAgents: 'All online agents', byLabels: 'By labels',
    run: 'Run now', results: 'Answers', waiting: 'waiting…', world: 'World', china: 'China', noPlace: 'Agents without a known place (labels country / province / city): {n}',
    answered: '{n} of {total} answered', noAnswer: 'no answer', latency: 'Latency',
  },
  agents: {
    title: 'Agents', version: 'Version', plugins: 'Plugins', icmp: 'ICMP', stats: 'Resources', lastSeen: 'Last seen',
    tasks: 'Tasks', cpu: 'CPU', memory: 'Memory', spool: 'Spool', enrollment: 'Enrollment tokens', newToken: 'New enrollment token',
    uses: 'Uses', usesLeft: 'Uses left', expiresIn: 'Expires in', joinCommand: 'Run this on the new agent (the token is shown only now):',
    editLabels: 'Labels', problems: 'Problems',
  },
  users: {
    title: 'Users', new: 'New user', username: 'Username', password: 'Password', disable: 'Disable', enable: 'Enable',
    setPassword: 'Set password', roles: 'Roles: viewer reads; operator also changes tasks and agents; admin also manages users and policies.',
  },
  tokens: {
    title: 'API tokens', new: 'New API token', expiresIn: 'Expires in', lastUsed: 'Last used', owner: 'Owner',
    shownOnce: 'Copy the token now; it is shown only once:',
  },
}
