/**
 * Where an agent is, from its labels `country`, `province` and `city` (any case; ISO code, English or Chinese
 * name). A bundled table, so the page asks no outside service. Unknown places give null: the agent is then listed
 * but not drawn on the map.
 */
export type LonLat = [number, number]

/** An agent as the map draws it. */
export interface MapAgent {
  name: string
  labels: Record<string, string>
  latency: number | null
  status: string
}

export interface Place {
  coord: LonLat
  /** The province's name in the China map (e.g. "广东"), when the agent is in China and its province is known. */
  province: string | null
  country: string | null
}

// [lon, lat, names...]; the first Chinese name is the one the China map uses.
const PROVINCES: [number, number, string, ...string[]][] = [
  [116.4, 39.9, '北京', 'beijing'], [117.2, 39.1, '天津', 'tianjin'], [114.5, 38.0, '河北', 'hebei'],
  [112.5, 37.9, '山西', 'shanxi'], [111.7, 40.8, '内蒙古', 'inner mongolia', 'neimenggu', 'nei mongol'],
  [123.4, 41.8, '辽宁', 'liaoning'], [125.3, 43.9, '吉林', 'jilin'], [126.6, 45.8, '黑龙江', 'heilongjiang'],
  [121.5, 31.2, '上海', 'shanghai'], [118.8, 32.1, '江苏', 'jiangsu'], [120.2, 30.3, '浙江', 'zhejiang'],
  [117.3, 31.9, '安徽', 'anhui'], [119.3, 26.1, '福建', 'fujian'], [115.9, 28.7, '江西', 'jiangxi'],
  [117.0, 36.7, '山东', 'shandong'], [113.6, 34.8, '河南', 'henan'], [114.3, 30.6, '湖北', 'hubei'],
  [113.0, 28.2, '湖南', 'hunan'], [113.3, 23.1, '广东', 'guangdong'], [108.3, 22.8, '广西', 'guangxi'],
  [110.3, 20.0, '海南', 'hainan'], [106.5, 29.6, '重庆', 'chongqing'], [104.1, 30.7, '四川', 'sichuan'],
  [106.7, 26.6, '贵州', 'guizhou'], [102.7, 25.0, '云南', 'yunnan'], [91.1, 29.7, '西藏', 'tibet', 'xizang'],
  [108.9, 34.3, '陕西', 'shaanxi'], [103.8, 36.1, '甘肃', 'gansu'], [101.8, 36.6, '青海', 'qinghai'],
  [106.3, 38.5, '宁夏', 'ningxia'], [87.6, 43.8, '新疆', 'xinjiang'], [121.5, 25.0, '台湾', 'taiwan'],
  [114.2, 22.3, '香港', 'hong kong', 'hongkong'], [113.5, 22.2, '澳门', 'macau', 'macao'],
]

const COUNTRIES: [number, number, string, ...string[]][] = [
  [104.2, 35.9, 'CN', 'china', '中国'], [-98.6, 39.8, 'US', 'united states', 'usa', '美国'],
  [138.3, 36.2, 'JP', 'japan', '日本'], [127.8, 36.5, 'KR', 'south korea', 'korea', '韩国'],
  [103.8, 1.35, 'SG', 'singapore', '新加坡'], [10.4, 51.2, 'DE', 'germany', '德国'],
  [2.2, 46.2, 'FR', 'france', '法国'], [-3.4, 55.4, 'GB', 'united kingdom', 'uk', '英国'],
  [5.3, 52.1, 'NL', 'netherlands', '荷兰'], [-106.3, 56.1, 'CA', 'canada', '加拿大'],
  [133.8, -25.3, 'AU', 'australia', '澳大利亚'], [78.96, 20.6, 'IN', 'india', '印度'],
  [-51.9, -14.2, 'BR', 'brazil', '巴西'], [105.3, 61.5, 'RU', 'russia', '俄罗斯'],
  [100.99, 15.9, 'TH', 'thailand', '泰国'], [108.3, 14.1, 'VN', 'vietnam', '越南'],
  [101.98, 4.2, 'MY', 'malaysia', '马来西亚'], [113.9, -0.8, 'ID', 'indonesia', '印度尼西亚'],
  [121.8, 12.9, 'PH', 'philippines', '菲律宾'], [12.6, 41.9, 'IT', 'italy', '意大利'],
  [-3.7, 40.5, 'ES', 'spain', '西班牙'], [18.6, 60.1, 'SE', 'sweden', '瑞典'],
  [8.2, 46.8, 'CH', 'switzerland', '瑞士'], [-8.2, 53.4, 'IE', 'ireland', '爱尔兰'],
  [53.8, 23.4, 'AE', 'united arab emirates', 'uae', '阿联酋'], [22.9, -30.6, 'ZA', 'south africa', '南非'],
  [-102.6, 23.6, 'MX', 'mexico', '墨西哥'], [174.9, -40.9, 'NZ', 'new zealand', '新西兰'],
  [35.2, 38.96, 'TR', 'turkey', '土耳其'], [19.1, 51.9, 'PL', 'poland', '波兰'],
  [-63.6, -38.4, 'AR', 'argentina', '阿根廷'], [8.7, 9.1, 'NG', 'nigeria', '尼日利亚'],
  [30.8, 26.8, 'EG', 'egypt', '埃及'], [45.1, 23.9, 'SA', 'saudi arabia', '沙特阿拉伯'],
]

/** Chinese cities: [lon, lat, province as the China map names it, names...]. */
const CN_CITIES: [number, number, string, ...string[]][] = [
  [113.3, 23.1, '广东', 'guangzhou', '广州'], [114.1, 22.5, '广东', 'shenzhen', '深圳'], [120.2, 30.3, '浙江', 'hangzhou', '杭州'],
  [118.8, 32.1, '江苏', 'nanjing', '南京'], [120.6, 31.3, '江苏', 'suzhou', '苏州'], [104.1, 30.7, '四川', 'chengdu', '成都'],
  [114.3, 30.6, '湖北', 'wuhan', '武汉'], [108.9, 34.3, '陕西', "xi'an", 'xian', '西安'], [120.4, 36.1, '山东', 'qingdao', '青岛'],
  [121.6, 38.9, '辽宁', 'dalian', '大连'], [118.1, 24.5, '福建', 'xiamen', '厦门'], [113.0, 28.2, '湖南', 'changsha', '长沙'],
  [113.6, 34.8, '河南', 'zhengzhou', '郑州'], [117.0, 36.7, '山东', 'jinan', '济南'], [123.4, 41.8, '辽宁', 'shenyang', '沈阳'],
]

const CITIES: [number, number, string, ...string[]][] = [
  [-122.4, 37.8, 'san francisco', '旧金山'], [-118.2, 34.1, 'los angeles', '洛杉矶'],
  [-74.0, 40.7, 'new york', '纽约'], [-77.5, 39.0, 'ashburn'], [-122.3, 47.6, 'seattle', '西雅图'],
  [139.7, 35.7, 'tokyo', '东京'], [135.5, 34.7, 'osaka', '大阪'], [126.98, 37.57, 'seoul', '首尔'],
  [8.7, 50.1, 'frankfurt', '法兰克福'], [-0.13, 51.5, 'london', '伦敦'], [2.35, 48.86, 'paris', '巴黎'],
  [4.9, 52.4, 'amsterdam', '阿姆斯特丹'], [72.9, 19.1, 'mumbai', '孟买'], [151.2, -33.9, 'sydney', '悉尼'],
  [-46.6, -23.6, 'sao paulo', '圣保罗'], [37.6, 55.8, 'moscow', '莫斯科'],
]

function index(rows: [number, number, string, ...string[]][]): Map<string, { coord: LonLat; name: string }> {
  const m = new Map<string, { coord: LonLat; name: string }>()
  for (const [lon, lat, ...names] of rows) {
    for (const n of names) m.set(n.toLowerCase(), { coord: [lon, lat], name: names[0] })
  }
  return m
}

const provinces = index(PROVINCES)
const countries = index(COUNTRIES)
const cities = index(CITIES)

function key(v: string | undefined): string {
  return (v ?? '').trim().toLowerCase().replace(/(省|市|自治区|特别行政区| province| city)$/u, '')
}

const cnCities = new Map<string, { coord: LonLat; province: string }>()
for (const [lon, lat, province, ...names] of CN_CITIES) {
  for (const n of names) cnCities.set(n.toLowerCase(), { coord: [lon, lat], province })
}

export function locate(labels: Record<string, string>): Place | null {
  const country = countries.get(key(labels.country))
  const province = provinces.get(key(labels.province))
  const cnCity = cnCities.get(key(labels.city))
  const city = cnCity ?? cities.get(key(labels.city)) ?? provinces.get(key(labels.city)) // 北京, 上海 are both
  const coord = city?.coord ?? province?.coord ?? country?.coord
  if (!coord) return null
  const chinaProvince = province?.name ?? cnCity?.province ?? (labels.city ? provinces.get(key(labels.city))?.name : undefined)
  return {
    coord,
    province: chinaProvince ?? null,
    country: country?.name ?? (chinaProvince ? 'CN' : null),
  }
}
