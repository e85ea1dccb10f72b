"""Deterministic generator of Chinese CRM customer records with known duplicates (ground truth for dedup benches).

Each generated *entity* is one customer: a company (B2B, with a contact person) or a private person (B2C). An
entity yields 1-5 records (70 % singletons, 30 % with duplicates); every record renders the entity's values through
format variants (phone and e-mail formats, company suffix and bracket forms, full-width characters, city spelled
several ways) and, for the duplicates, damage: typos (homophone / similar-character swaps on Chinese, deletions,
transpositions), dropped fields, abbreviations (XX科技有限公司 -> XX科技), a different contact of the same company,
the mobile instead of the switchboard. Hard negatives are built in: companies of the same brand that are different
legal entities (other city, credit code, phones), and different people sharing a name (common surnames and given
names make that frequent, and 3 % of people copy an earlier person's name and city on purpose). A small share of
records carry invalid phones or e-mails, for the data-quality report.

Records are shuffled so duplicates are not adjacent. Identifying values (mobiles, landlines, e-mails, credit codes)
are unique per entity, so that only the truth file, not a coincidence, decides what is a duplicate.

Usage: python bench/gen_chinese_crm.py --n 1000000 --out DIR [--seed 42]
       (writes DIR/records.csv with the CRM header and DIR/truth.csv with record_id,entity_id)
As a module: generate(n, seed) -> list of rows (record_id, name, company, phone, email, city, address,
credit_code, entity_id); write(rows, out_dir).
"""

from __future__ import annotations

import argparse
import bisect
import csv
import gc
import itertools
import random
import time
from dataclasses import dataclass
from pathlib import Path

from stdnum.cn import uscc

RECORD_FIELDS = ("record_id", "name", "company", "phone", "email", "city", "address", "credit_code")
TRUTH_FIELDS = ("record_id", "entity_id")


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Pools are "字:pinyin" words in rough order of frequency; weights fall off with rank (Zipf) so that common
# surnames and given-name characters dominate, as they do in real data.
SURNAMES = (
    "王:wang 李:li 张:zhang 刘:liu 陈:chen 杨:yang 黄:huang 赵:zhao 吴:wu 周:zhou 徐:xu 孙:sun 马:ma 朱:zhu 胡:hu "
    "郭:guo 何:he 高:gao 林:lin 罗:luo 郑:zheng 梁:liang 谢:xie 宋:song 唐:tang 许:xu 韩:han 冯:feng 邓:deng "
    "曹:cao 彭:peng 曾:zeng 肖:xiao 田:tian 董:dong 袁:yuan 潘:pan 于:yu 蒋:jiang 蔡:cai 余:yu 杜:du 叶:ye "
    "程:cheng 苏:su 魏:wei 吕:lv 丁:ding 任:ren 沈:shen 姚:yao 卢:lu 姜:jiang 崔:cui 钟:zhong 谭:tan 陆:lu "
    "汪:wang 范:fan 金:jin 石:shi 廖:liao 贾:jia 夏:xia 韦:wei 付:fu 方:fang 白:bai 邹:zou 孟:meng 熊:xiong "
    "秦:qin 邱:qiu 江:jiang 尹:yin 薛:xue 闫:yan 段:duan 雷:lei 侯:hou 龙:long 史:shi 陶:tao 黎:li 贺:he "
    "顾:gu 毛:mao 郝:hao 龚:gong 邵:shao 万:wan 钱:qian 严:yan 覃:qin 武:wu 戴:dai 莫:mo 孔:kong 向:xiang "
    "汤:tang 欧阳:ouyang 司马:sima 上官:shangguan"
)
GIVEN_CHARS = (
    "伟:wei 芳:fang 娜:na 敏:min 静:jing 丽:li 强:qiang 磊:lei 军:jun 洋:yang 勇:yong 艳:yan 杰:jie 娟:juan "
    "涛:tao 明:ming 超:chao 秀:xiu 霞:xia 平:ping 刚:gang 桂:gui 英:ying 华:hua 玉:yu 兰:lan 萍:ping 红:hong "
    "鹏:peng 辉:hui 婷:ting 宇:yu 浩:hao 凯:kai 健:jian 俊:jun 帆:fan 帅:shuai 旭:xu 宁:ning 龙:long 林:lin "
    "欢:huan 阳:yang 建:jian 国:guo 峰:feng 斌:bin 波:bo 丹:dan 雪:xue 梅:mei 琳:lin 晶:jing 晨:chen 颖:ying "
    "倩:qian 洁:jie 雯:wen 慧:hui 婧:jing 瑶:yao 怡:yi 佳:jia 欣:xin 嘉:jia 子:zi 轩:xuan 梓:zi 涵:han 睿:rui "
    "博:bo 文:wen 昊:hao 然:ran 一:yi 诺:nuo 思:si 雨:yu 泽:ze 宏:hong 志:zhi 海:hai 亮:liang 飞:fei 鑫:xin "
    "晓:xiao 春:chun 燕:yan 玲:ling 莉:li 琴:qin 云:yun 凤:feng 新:xin 利:li 清:qing 彬:bin 富:fu 顺:shun "
    "信:xin 永:yong 长:chang 成:cheng 德:de 荣:rong 庆:qing 小:xiao 金:jin 东:dong 文:wen 天:tian 家:jia "
    "立:li 振:zhen 晗:han 萱:xuan 诗:shi 语:yu 可:ke 安:an 若:ruo 心:xin 梦:meng 琪:qi 彤:tong 悦:yue"
)
BRAND_CHARS = (
    "华:hua 腾:teng 鼎:ding 信:xin 达:da 通:tong 源:yuan 远:yuan 盛:sheng 恒:heng 泰:tai 宏:hong 创:chuang "
    "瑞:rui 联:lian 兴:xing 金:jin 科:ke 新:xin 中:zhong 海:hai 天:tian 安:an 博:bo 嘉:jia 汇:hui 润:run "
    "隆:long 昌:chang 星:xing 美:mei 佳:jia 宝:bao 丰:feng 和:he 德:de 立:li 成:cheng 东:dong 南:nan 方:fang "
    "云:yun 智:zhi 易:yi 优:you 卓:zhuo 越:yue 锦:jin 融:rong 凯:kai 亿:yi 万:wan 正:zheng 航:hang 启:qi "
    "明:ming 光:guang 辉:hui 永:yong 久:jiu 晨:chen 阳:yang 峰:feng 川:chuan 江:jiang 城:cheng 鑫:xin 旺:wang "
    "誉:yu 铭:ming 睿:rui 诚:cheng 合:he 众:zhong 力:li 聚:ju 茂:mao 蓝:lan 绿:lv 顺:shun 广:guang 汉:han "
    "龙:long 凤:feng 祥:xiang 福:fu 康:kang 乐:le 利:li 捷:jie 迅:xun 飞:fei 驰:chi 宇:yu 宙:zhou 坤:kun "
    "乾:qian 震:zhen 巨:ju 大:da 君:jun 晟:sheng 翔:xiang 浩:hao 泽:ze 思:si 维:wei 赛:sai 百:bai 千:qian"
)
# (Chinese, English) industry words: the English form is used for the English variant of a company name.
INDUSTRIES = (
    ("科技", "Technology"), ("信息技术", "Information Technology"), ("网络科技", "Network Technology"),
    ("电子", "Electronics"), ("软件", "Software"), ("贸易", "Trading"), ("实业", "Industrial"),
    ("物流", "Logistics"), ("医药", "Pharmaceutical"), ("生物科技", "Biotechnology"),
    ("建筑工程", "Construction Engineering"), ("餐饮管理", "Catering Management"), ("文化传媒", "Culture Media"),
    ("教育科技", "Education Technology"), ("机械", "Machinery"), ("食品", "Food"), ("服饰", "Apparel"),
    ("新能源", "New Energy"), ("汽车服务", "Auto Service"), ("咨询", "Consulting"),
    ("投资管理", "Investment Management"), ("房地产开发", "Real Estate Development"),
    ("环保科技", "Environmental Technology"), ("化工", "Chemical"), ("广告", "Advertising"),
    ("供应链管理", "Supply Chain Management"), ("智能科技", "Intelligent Technology"), ("数据科技", "Data Technology"),
    ("装饰工程", "Decoration Engineering"), ("金融服务", "Financial Services"),
)
LEGAL_SUFFIXES = ("有限公司", "有限责任公司", "股份有限公司", "集团有限公司", "集团")
LEGAL_SUFFIX_WEIGHTS = (60, 15, 15, 5, 5)
# What a duplicate's suffix becomes: another Chinese form, an English one, or nothing (the common abbreviation).
SUFFIX_VARIANTS = ("有限公司", "有限责任公司", "股份有限公司", "集团", "")
ENGLISH_SUFFIXES = ("Co., Ltd.", "Co.,Ltd", "Co. Ltd.", "Inc.", "Limited")
ENGLISH_FIRST_NAMES = _words(
    "David Michael Kevin Jason Eric Tony Peter Jack Leo Frank Vincent Andy Steven Allen Simon Alex Henry Ryan "
    "Lily Amy Grace Cindy Helen Linda Joyce Vivian Sophia Emma Iris Coco Wendy Cathy Anna Jessica Nancy Sunny"
)
TITLES = ("先生", "女士", "经理", "总", "总监", "老师")

# (province, city, pinyin, landline area code, administrative division code, districts): the province is empty
# for the four municipalities, which are provinces themselves.
CITIES = (
    ("", "北京", "Beijing", "010", "110105", "朝阳区 海淀区 东城区 西城区 丰台区"),
    ("", "上海", "Shanghai", "021", "310115", "浦东新区 徐汇区 静安区 黄浦区 闵行区"),
    ("广东", "深圳", "Shenzhen", "0755", "440305", "南山区 福田区 罗湖区 宝安区 龙岗区"),
    ("广东", "广州", "Guangzhou", "020", "440106", "天河区 越秀区 海珠区 番禺区 白云区"),
    ("浙江", "杭州", "Hangzhou", "0571", "330106", "西湖区 滨江区 余杭区 拱墅区 上城区"),
    ("四川", "成都", "Chengdu", "028", "510104", "锦江区 武侯区 成华区 青羊区 金牛区"),
    ("江苏", "南京", "Nanjing", "025", "320102", "玄武区 鼓楼区 建邺区 江宁区 秦淮区"),
    ("江苏", "苏州", "Suzhou", "0512", "320508", "姑苏区 吴中区 相城区 虎丘区 吴江区"),
    ("湖北", "武汉", "Wuhan", "027", "420103", "江汉区 武昌区 洪山区 汉阳区 江岸区"),
    ("", "重庆", "Chongqing", "023", "500103", "渝中区 江北区 南岸区 九龙坡区 沙坪坝区"),
    ("", "天津", "Tianjin", "022", "120101", "和平区 河西区 南开区 河东区 滨海新区"),
    ("陕西", "西安", "Xi'an", "029", "610113", "雁塔区 碑林区 未央区 新城区 莲湖区"),
    ("湖南", "长沙", "Changsha", "0731", "430104", "岳麓区 芙蓉区 天心区 开福区 雨花区"),
    ("河南", "郑州", "Zhengzhou", "0371", "410105", "金水区 二七区 中原区 管城回族区 惠济区"),
    ("山东", "济南", "Jinan", "0531", "370102", "历下区 市中区 槐荫区 天桥区 历城区"),
    ("山东", "青岛", "Qingdao", "0532", "370202", "市南区 市北区 黄岛区 崂山区 李沧区"),
    ("福建", "厦门", "Xiamen", "0592", "350203", "思明区 湖里区 集美区 海沧区 同安区"),
    ("福建", "福州", "Fuzhou", "0591", "350102", "鼓楼区 台江区 仓山区 晋安区 马尾区"),
    ("安徽", "合肥", "Hefei", "0551", "340104", "蜀山区 包河区 庐阳区 瑶海区 经开区"),
    ("辽宁", "沈阳", "Shenyang", "024", "210102", "和平区 沈河区 皇姑区 铁西区 大东区"),
    ("辽宁", "大连", "Dalian", "0411", "210202", "中山区 西岗区 沙河口区 甘井子区 金州区"),
    ("黑龙江", "哈尔滨", "Harbin", "0451", "230103", "南岗区 道里区 香坊区 道外区 松北区"),
    ("云南", "昆明", "Kunming", "0871", "530102", "五华区 盘龙区 官渡区 西山区 呈贡区"),
    ("广西壮族自治区", "南宁", "Nanning", "0771", "450103", "青秀区 兴宁区 江南区 西乡塘区 良庆区"),
    ("广东", "东莞", "Dongguan", "0769", "441900", "南城街道 东城街道 莞城街道 长安镇 虎门镇"),
    ("广东", "佛山", "Foshan", "0757", "440604", "禅城区 南海区 顺德区 三水区 高明区"),
    ("浙江", "宁波", "Ningbo", "0574", "330203", "海曙区 江北区 鄞州区 北仑区 镇海区"),
    ("江苏", "无锡", "Wuxi", "0510", "320213", "梁溪区 滨湖区 新吴区 锡山区 惠山区"),
    ("河北", "石家庄", "Shijiazhuang", "0311", "130102", "长安区 桥西区 新华区 裕华区 鹿泉区"),
    ("山西", "太原", "Taiyuan", "0351", "140105", "小店区 迎泽区 杏花岭区 万柏林区 尖草坪区"),
)
ROADS = _words("人民 解放 中山 建设 和平 新华 长江 黄河 科技 创业 学府 文化 花园 朝阳 东风 胜利 光明 迎宾 滨江 湖滨 "
         "环城 工业 南京 北京 上海 延安 青年 友谊 团结 幸福 高新 软件园 金融 商业 世纪 香樱 银杏 梧桐")
ROAD_KINDS = ("路", "东路", "西路", "南路", "北路", "街", "大道", "大街")
BUILDINGS = ("大厦", "中心", "广场", "科技园", "国际", "商务楼")
MOBILE_PREFIXES = _words("130 131 132 133 134 135 136 137 138 139 145 147 150 151 152 153 155 156 157 158 159 166 "
                   "173 175 176 177 178 180 181 182 183 184 185 186 187 188 189 191 198 199")
PERSONAL_DOMAINS = ("qq.com", "163.com", "126.com", "sina.com", "gmail.com", "outlook.com", "foxmail.com",
                    "139.com", "yahoo.com.cn", "hotmail.com")
CORPORATE_TLDS = (".com", ".com.cn", ".cn", ".net")
PLUS_TAGS = ("crm", "news", "work", "sales", "2024", "vip")

# Homophones and look-alike characters, the typos that Chinese input methods and OCR actually make.
_SIMILAR_GROUPS = (
    "伟玮炜 王汪 张章 林琳霖 静晶婧 丽莉俐 明铭 华桦化 军君 杰洁捷 娟鹃 涛韬 刚钢 峰锋丰 "
    "斌彬 波博 磊蕾 勇永 洋阳扬 艳燕 芳方 辉晖 婷亭 宇雨语 浩昊皓 凯恺 健建 俊骏 "
    "鹏朋 龙隆 欣馨新鑫 佳嘉家 睿瑞锐 轩萱 涵晗 泽择 志智 亮靓 晓小 春纯 玲灵铃 琴芹 "
    "云芸 凤风 利立 清青 腾藤 信兴星 达大 通同 源元远 盛胜晟 恒衡 泰太 鼎顶 宏鸿红 "
    "创闯 联连 金今 科可 汇惠 润闰 昌常 宝保 德得 成诚城 东冬 方芳 智志 易亿益 "
    "卓桌 越悦 锦金 融荣 航杭 启起 光广 永勇 晨辰 川传 江将 旺望 誉玉 合和 "
    "众重 力利 聚巨 茂贸 顺舜 康抗 乐勒 飞菲 驰池 坤昆 乾千 翔祥 思斯 维唯 "
    "赛塞 百柏 己已 末未 人入 土士 日曰 天夫 田由 贝见 路露 号好 区曲 街阶 "
    "市是 省声 道到 园圆 厦夏 座坐 层曾 室式 技计 术述 贸茂 限现 责则"
)
SIMILAR: dict[str, str] = {}
for _group in _words(_SIMILAR_GROUPS):
    for _char in _group:  # a character in several groups may be confused with any of their members
        SIMILAR[_char] = "".join(dict.fromkeys(SIMILAR.get(_char, "") + _group.replace(_char, "")))
LATIN_LETTERS = "abcdefghijklmnopqrstuvwxyz"
FULL_WIDTH = str.maketrans({chr(code): chr(code + 0xFEE0) for code in range(0x21, 0x7F)} | {" ": "\u3000"})


def _pool(words: str) -> list[tuple[str, str]]:
    return [tuple(word.split(":")) for word in _words(words)]  # type: ignore[misc]


class Picker:
    """Weighted choice with precomputed cumulative weights (random.choices rebuilds them on every call)."""

    def __init__(self, items: list | tuple, weights: list | tuple | None = None, zipf: float = 0.0):
        self.items = list(items)
        if weights is None:
            weights = [1 / (rank + 1) ** zipf for rank in range(len(self.items))]
        self.cumulative = list(itertools.accumulate(weights))

    def __call__(self, rng: random.Random):
        return self.items[bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])]


SURNAME = Picker(_pool(SURNAMES), zipf=0.8)  # top surname ~8 %, top 100 ~all: close to the census
GIVEN = Picker(_pool(GIVEN_CHARS), zipf=0.5)
BRAND = Picker(_pool(BRAND_CHARS), zipf=0.3)
INDUSTRY = Picker(INDUSTRIES, zipf=0.6)
LEGAL_SUFFIX = Picker(LEGAL_SUFFIXES, LEGAL_SUFFIX_WEIGHTS)
CITY = Picker(CITIES, zipf=0.7)
CLUSTER_SIZE = Picker((1, 2, 3, 4, 5), (70, 18, 7, 3, 2))  # 30 % of entities have duplicates
ORG_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


@dataclass(slots=True)
class Person:
    name: str
    latin: bool
    surname: str
    surname_pinyin: str  # "zhang"
    given_pinyin: str  # "wei", or the English first name in lower case


@dataclass(slots=True)
class Entity:
    entity_id: str
    person: Person | None  # the private customer, or the company's contact
    city: tuple
    district: str
    address_tail: str  # road, number and building after the district
    mobile: str = ""
    landline: str = ""  # "area-local" plus an optional extension after "#"
    email: str = ""
    company_parts: tuple | None = None  # (city prefix style, brand, brand pinyin, industry, legal suffix)
    credit_code: str = ""
    domain: str = ""


class Generator:
    """One seeded run: remembers issued phones, e-mails and credit codes so that no two entities share one."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.used: set[str] = set()
        self.companies: list[Entity] = []
        self.people: list[Entity] = []

    # --- entity values -------------------------------------------------------------------------------------
    def unique(self, make) -> str:  # noqa: ANN001
        while True:
            value = make()
            if value not in self.used:
                self.used.add(value)
                return value

    def person(self) -> Person:
        rng = self.rng
        surname, surname_pinyin = SURNAME(rng)
        if rng.random() < 0.06:  # contacts at foreign-facing firms go by an English name
            first = rng.choice(ENGLISH_FIRST_NAMES)
            return Person(f"{first} {surname_pinyin.title()}", True, surname, surname_pinyin, first.lower())
        given = [GIVEN(rng) for _ in range(1 if rng.random() < 0.15 else 2)]
        return Person(surname + "".join(c for c, _ in given), False, surname, surname_pinyin,
                      "".join(p for _, p in given))

    def mobile(self) -> str:
        rng = self.rng
        return self.unique(lambda: rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}")

    def landline(self, city: tuple) -> str:
        rng = self.rng
        number = self.unique(lambda: f"{city[3]}-{rng.randrange(2 * 10**7, 9 * 10**7)}")
        return f"{number}#{rng.randrange(100, 9000)}" if rng.random() < 0.3 else number

    def personal_email(self, person: Person) -> str:
        rng = self.rng

        def make() -> str:
            domain = rng.choice(PERSONAL_DOMAINS)
            if domain == "qq.com" and rng.random() < 0.7:
                return f"{rng.randrange(10**5, 3 * 10**9)}@qq.com"
            return f"{self.email_local(person)}{rng.randrange(1, 9999) if rng.random() < 0.6 else ''}@{domain}"

        return self.unique(make)

    def work_email(self, person: Person, domain: str) -> str:
        rng = self.rng
        return self.unique(lambda: f"{self.email_local(person)}{rng.choice(('', '', rng.randrange(1, 99)))}@{domain}")

    def email_local(self, person: Person) -> str:
        """zhangwei, wei.zhang, wzhang or zhangw: the spellings people pick for mailboxes."""
        surname, given = person.surname_pinyin, person.given_pinyin
        roll = self.rng.random()
        if roll < 0.55:
            return surname + given
        if roll < 0.7:
            return f"{given}.{surname}"
        if roll < 0.85:
            return given[:1] + surname
        return surname + given[:1]

    def address_tail(self) -> str:
        rng = self.rng
        tail = f"{rng.choice(ROADS)}{rng.choice(ROAD_KINDS)}{rng.randrange(1, 999)}号"
        roll = rng.random()
        if roll < 0.35:
            tail += f"{rng.choice('ABCDE')}座{rng.randrange(2, 40)}{rng.randrange(1, 30):02d}室"
        elif roll < 0.6:
            tail += f"{BRAND(rng)[0]}{BRAND(rng)[0]}{rng.choice(BUILDINGS)}{rng.randrange(2, 40)}层"
        elif roll < 0.75:
            tail += f"{rng.randrange(1, 30)}栋{rng.randrange(1, 30)}{rng.randrange(1, 9):02d}"
        return tail

    def credit_code(self, city: tuple) -> str:
        rng = self.rng

        def make() -> str:
            organisation = f"{rng.randrange(10**8):08d}"
            if rng.random() < 0.1:  # older organisation codes carry letters
                i = rng.randrange(8)
                organisation = organisation[:i] + rng.choice(ORG_CODE_ALPHABET[10:]) + organisation[i + 1 :]
            # The organisation code's own check character (GB 11714), so that the code is valid throughout.
            total = sum(ORG_CODE_ALPHABET.index(c) * w for c, w in zip(organisation, (3, 7, 9, 10, 5, 8, 4, 2),
                                                                         strict=True))
            check = 11 - total % 11
            body = f"91{city[4]}{organisation}{'X' if check == 10 else '0' if check == 11 else check}"
            return body + uscc.calc_check_digit(body)

        return self.unique(make)

    def place(self) -> tuple[tuple, str, str]:
        city = CITY(self.rng)
        return city, self.rng.choice(city[5].split()), self.address_tail()

    def new_person_entity(self, entity_id: str) -> Entity:
        rng = self.rng
        if self.people and rng.random() < 0.03:  # a namesake in the same city: a different person
            namesake = rng.choice(self.people)
            person, city = namesake.person, namesake.city
            district, tail = rng.choice(city[5].split()), self.address_tail()
        else:
            person = self.person()
            city, district, tail = self.place()
        entity = Entity(entity_id, person, city, district, tail, mobile=self.mobile())
        if rng.random() < 0.1:
            entity.landline = self.landline(city)
        entity.email = self.personal_email(person)
        self.people.append(entity)
        return entity

    def new_company_entity(self, entity_id: str) -> Entity:
        rng = self.rng
        city, district, tail = self.place()
        sibling = rng.choice(self.companies) if self.companies and rng.random() < 0.08 else None
        if sibling is not None:
            # Same brand, different legal entity: another city (in the name too), credit code, phones, people.
            while city[1] == sibling.city[1]:
                city, district, tail = self.place()
            _, brand, brand_pinyin, industry, _ = sibling.company_parts
            if rng.random() < 0.5:
                industry = INDUSTRY(rng)
            prefix_style = rng.choice(("prefix", "prefix_shi", "bracket"))
            domain = sibling.domain if rng.random() < 0.5 else self.unique(lambda: self.domain(brand_pinyin))
        else:
            chars = [BRAND(rng) for _ in range(2 if rng.random() < 0.85 else 3)]
            if rng.random() < 0.05:  # Latin brands (e.g. "KJ", "AB3"), which full-width variants apply to
                brand = "".join(rng.choice(LATIN_LETTERS.upper()) for _ in range(rng.choice((2, 3))))
                brand += str(rng.randrange(10)) if rng.random() < 0.3 else ""
                brand_pinyin = brand.lower()
            else:
                brand, brand_pinyin = "".join(c for c, _ in chars), "".join(p for _, p in chars)
            industry = INDUSTRY(rng)
            prefix_style = rng.choices(("none", "prefix", "prefix_shi", "bracket"), (45, 20, 20, 15))[0]
            domain = self.unique(lambda: self.domain(brand_pinyin))
        entity = Entity(entity_id, self.person() if rng.random() < 0.85 else None, city, district, tail,
                        company_parts=(prefix_style, brand, brand_pinyin, industry, LEGAL_SUFFIX(rng)),
                        credit_code=self.credit_code(city), domain=domain)
        if entity.person is not None and rng.random() < 0.9:
            entity.mobile = self.mobile()
        if rng.random() < 0.6 or not entity.mobile:
            entity.landline = self.landline(city)
        if entity.person is not None and rng.random() < 0.85:
            entity.email = (self.work_email(entity.person, domain) if rng.random() < 0.7
                            else self.personal_email(entity.person))
        elif rng.random() < 0.5:
            entity.email = self.unique(lambda: f"{rng.choice(('info', 'sales', 'contact', 'service', 'hr'))}"
                                               f"{rng.choice(('', rng.randrange(1, 9)))}@{domain}")
        self.companies.append(entity)
        return entity

    def domain(self, brand_pinyin: str) -> str:
        rng = self.rng
        stem = brand_pinyin if rng.random() < 0.6 else f"{brand_pinyin}{rng.choice(('tech', 'group', 'cn', ''))}"
        return f"{stem}{rng.randrange(2, 99) if rng.random() < 0.3 else ''}{rng.choice(CORPORATE_TLDS)}"

    # --- rendering one record of an entity ------------------------------------------------------------------
    def typo(self, text: str) -> str:
        """One character damaged: a homophone or look-alike where one exists, else deletion or transposition."""
        rng = self.rng
        if len(text) < 2:
            return text
        similar = [i for i, c in enumerate(text) if c in SIMILAR]
        roll = rng.random()
        if similar and roll < 0.6:
            i = rng.choice(similar)
            return text[:i] + rng.choice(SIMILAR[text[i]]) + text[i + 1 :]
        i = rng.randrange(len(text) - 1)
        if roll < 0.75 and len(text) > 3:
            return text[:i] + text[i + 1 :]
        if roll < 0.9 or not text[i].isascii():
            return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
        return text[:i] + rng.choice(LATIN_LETTERS) + text[i + 1 :]

    def render_name(self, person: Person | None, duplicate: bool) -> str:
        rng = self.rng
        if person is None:
            return ""
        name, roll = person.name, rng.random()
        if person.latin:
            if roll < 0.15:
                first, last = name.split(" ")
                name = rng.choice((f"{last} {first}", f"{last.upper()}, {first}", f"{last.upper()} {first}"))
            elif roll < 0.3:
                name = rng.choice((name.upper(), name.lower()))
        elif duplicate and roll < 0.03:
            name = person.surname + rng.choice(TITLES)  # "张经理": how sales reps often record a contact
        elif roll < 0.06:
            name = f"{person.surname} {name[len(person.surname):]}"
        if rng.random() < (0.08 if duplicate else 0.01):
            name = self.typo(name)
        return name

    def render_company(self, entity: Entity, duplicate: bool) -> str:
        rng = self.rng
        prefix_style, brand, brand_pinyin, industry, suffix = entity.company_parts
        city = entity.city[1]
        roll = rng.random()
        if duplicate and roll < 0.03:  # the English name, as on invoices and e-mail signatures
            return f"{brand_pinyin.title()} {industry[1]} {rng.choice(ENGLISH_SUFFIXES)}"
        if duplicate and roll < 0.05:
            return brand + industry[0] if rng.random() < 0.5 else brand  # the short name everyone uses
        if duplicate and roll < 0.35:
            suffix = rng.choice(SUFFIX_VARIANTS)
            if not suffix and rng.random() < 0.2:
                suffix = " " + rng.choice(ENGLISH_SUFFIXES)
        if duplicate and rng.random() < 0.25:  # the city moves, loses its 市, or is dropped
            prefix_style = rng.choice(("none", "prefix", "prefix_shi", "bracket"))
        core = brand + industry[0]
        if prefix_style == "prefix":
            name = city + core + suffix
        elif prefix_style == "prefix_shi":
            name = f"{city}市{core}{suffix}"
        elif prefix_style == "bracket":
            name = f"{core}（{city}）{suffix}" if suffix else f"{core}（{city}）"
            if rng.random() < 0.4:
                name = name.replace("（", "(").replace("）", ")")
        else:
            name = core + suffix
        if rng.random() < 0.03:
            name = name.translate(FULL_WIDTH)
        elif not brand.isascii() and rng.random() < 0.02:
            name = name.replace(industry[0], " " + industry[0], 1)
        if rng.random() < (0.06 if duplicate else 0.01):
            name = self.typo(name)
        return name

    def render_mobile(self, digits: str) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.45:
            text = digits
        elif roll < 0.6:
            text = f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"
        elif roll < 0.72:
            text = f"{digits[:3]} {digits[3:7]} {digits[7:]}"
        elif roll < 0.82:
            text = f"+86 {digits[:3]} {digits[3:7]} {digits[7:]}"
        elif roll < 0.9:
            text = f"+86{digits}"
        elif roll < 0.96:
            text = f"0086-{digits}"
        else:
            text = f"+86-{digits}"
        return text.translate(FULL_WIDTH) if rng.random() < 0.02 else text

    def render_landline(self, landline: str, duplicate: bool) -> str:
        rng = self.rng
        number, _, extension = landline.partition("#")
        area, local = number.split("-")
        roll = rng.random()
        if roll < 0.45:
            text = f"{area}-{local}"
        elif roll < 0.6:
            text = f"({area}){local}"
        elif roll < 0.7:
            text = f"{area} {local[:4]} {local[4:]}"
        elif roll < 0.8:
            text = f"+86 {area[1:]} {local}"
        elif roll < 0.88:
            text = f"+86-{area[1:]}-{local}"
        else:
            text = area + local
        if extension and not (duplicate and rng.random() < 0.3):
            text += rng.choice((" 转 ", "转", " ext. ", " ext", "-", " x", " 分机"))
            text += extension
        return text

    def render_phone(self, mobile: str, landline: str, duplicate: bool) -> str:
        rng = self.rng
        use_mobile = mobile and (not landline or rng.random() < 0.7)
        text = self.render_mobile(mobile) if use_mobile else self.render_landline(landline, duplicate)
        if rng.random() < (0.03 if duplicate else 0.005):  # one digit mistyped
            positions = [i for i, c in enumerate(text) if c.isdigit()]
            i = rng.choice(positions[3:])
            text = text[:i] + str(rng.randrange(10)) + text[i + 1 :]
        return text

    def render_email(self, email: str, duplicate: bool) -> str:
        rng = self.rng
        local, domain = email.split("@")
        roll = rng.random()
        if roll < 0.1:
            local, domain = local.capitalize(), domain.upper() if rng.random() < 0.3 else domain
        elif roll < 0.15:
            local, domain = local.upper(), domain.upper()
        if rng.random() < (0.08 if duplicate else 0.03):
            local += "+" + rng.choice(PLUS_TAGS)
        if duplicate and rng.random() < 0.04:
            local = self.typo(local)
        text = f"{local}@{domain}"
        return f" {text} " if rng.random() < 0.01 else text

    def render_city(self, city: tuple) -> str:
        province, name, pinyin = city[0], city[1], city[2]
        roll = self.rng.random()
        if roll < 0.5:
            return name
        if roll < 0.85:
            return name + "市"
        if roll < 0.95:
            return f"{province}省{name}市" if province and not province.endswith("区") else f"{province}{name}市"
        return pinyin

    def render_address(self, entity: Entity, duplicate: bool) -> str:
        rng = self.rng
        province, city = entity.city[0], entity.city[1]
        province_text = province if province.endswith("区") or not province else province + "省"
        tail = entity.address_tail
        if duplicate and rng.random() < 0.3:  # the floor or room left out
            tail = tail[: tail.index("号") + 1]
        roll = rng.random()
        if roll < 0.4:
            text = f"{province_text}{city}市{entity.district}{tail}"
        elif roll < 0.8:
            text = f"{city}市{entity.district}{tail}"
        elif roll < 0.9:
            text = f"{city}{entity.district}{tail}"
        else:
            text = f"{entity.district}{tail}"
        if rng.random() < 0.04:
            text = "".join(c.translate(FULL_WIDTH) if c.isdigit() else c for c in text)
        elif rng.random() < 0.04:
            text = text.replace("区", "区 ", 1).replace("号", " 号", 1)
        if rng.random() < (0.08 if duplicate else 0.01):
            text = self.typo(text)
        return text

    def render_credit_code(self, code: str, duplicate: bool) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.03:
            return code.lower()
        if roll < 0.05:
            return f"{code[:2]} {code[2:8]} {code[8:17]} {code[17]}"
        if duplicate and roll < 0.055:  # mistyped: fails the check character
            i = rng.randrange(2, 17)
            return code[:i] + str((int(code[i]) + 1) % 10 if code[i].isdigit() else 1) + code[i + 1 :]
        return code

    def invalid_phone(self) -> str:
        rng = self.rng
        return rng.choice((f"1{rng.randrange(10**8, 10**9)}", f"{rng.randrange(10**3, 10**5)}",
                           f"138-00{rng.randrange(10, 99)}-80OO", "000-00000000", "13800000000000"))

    def invalid_email(self, person: Person | None) -> str:
        local = person.surname_pinyin + person.given_pinyin if person else "info"
        return self.rng.choice((f"{local}@163", f"{local}.qq.com", f"{local}@@126.com", f"{local}@", "无"))

    def record(self, entity: Entity, duplicate: bool) -> list[str]:
        rng = self.rng
        drop = 0.15 if duplicate else 0.03  # each present field goes missing with this probability
        person, mobile, email = entity.person, entity.mobile, entity.email
        if entity.company_parts is not None and duplicate and rng.random() < 0.08:
            # Another employee of the same customer, with their own mobile and mailbox (or the switchboard).
            person = self.person()
            mobile = "" if entity.landline and rng.random() < 0.5 else self.mobile()
            email = self.work_email(person, entity.domain)
        name = self.render_name(person, duplicate) if rng.random() > drop / 2 else ""
        company = self.render_company(entity, duplicate) if entity.company_parts and rng.random() > 0.03 else ""
        phone = self.render_phone(mobile, entity.landline, duplicate) if rng.random() > drop else ""
        email = self.render_email(email, duplicate) if email and rng.random() > drop else ""
        if rng.random() < 0.015:
            phone = self.invalid_phone()
        if rng.random() < 0.015:
            email = self.invalid_email(person)
        city = self.render_city(entity.city) if rng.random() > drop + 0.07 else ""
        address = self.render_address(entity, duplicate) if rng.random() > drop + 0.25 else ""
        credit = (self.render_credit_code(entity.credit_code, duplicate)
                  if entity.credit_code and rng.random() > (0.4 if duplicate else 0.3) else "")
        return [name, company, phone, email, city, address, credit, entity.entity_id]


def generate(n: int, seed: int = 42) -> list[tuple[str, ...]]:
    """n shuffled records as (record_id, name, company, phone, email, city, address, credit_code, entity_id)."""
    generator = Generator(seed)
    rng = generator.rng
    rows: list[list[str]] = []
    gc.disable()  # millions of small objects and no cycles: the collector's passes only cost time
    try:
        for number in itertools.count():
            if len(rows) >= n:
                break
            entity_id = f"E{number:07d}"
            entity = (generator.new_company_entity(entity_id) if rng.random() < 0.6
                      else generator.new_person_entity(entity_id))
            for copy in range(min(CLUSTER_SIZE(rng), n - len(rows))):
                rows.append(generator.record(entity, duplicate=copy > 0))
    finally:
        gc.enable()
    rng.shuffle(rows)
    width = max(7, len(str(n)))
    return [(f"R{index:0{width}d}", *row) for index, row in enumerate(rows)]


def write(rows: list[tuple[str, ...]], out_dir: Path) -> tuple[Path, Path]:
    """records.csv (the CRM input header) and truth.csv (record_id,entity_id) in out_dir."""
    out_dir.mkdir(parents=True, exist_ok=True)
    records, truth = out_dir / "records.csv", out_dir / "truth.csv"
    with records.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(RECORD_FIELDS)
        writer.writerows(row[:-1] for row in rows)
    with truth.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(TRUTH_FIELDS)
        writer.writerows((row[0], row[-1]) for row in rows)
    return records, truth


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="number of records")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, required=True, help="directory for records.csv and truth.csv")
    args = parser.parse_args()
    started = time.perf_counter()
    rows = generate(args.n, args.seed)
    records, _ = write(rows, args.out)
    sizes: dict[str, int] = {}
    for row in rows:
        sizes[row[-1]] = sizes.get(row[-1], 0) + 1
    duplicated = sum(1 for size in sizes.values() if size > 1)
    print(f"{len(rows)} records of {len(sizes)} entities ({duplicated / len(sizes):.1%} with duplicates) "
          f"-> {records.parent} in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
