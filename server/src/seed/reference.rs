//! Fixed reference data: the 31 provinces, generated (fictional) Persian names, need categories.

/// (code, Persian name, English name), in the Persian alphabetical order the glossary uses.
pub const PROVINCES: [(&str, &str, &str); 31] = [
    ("AZE", "آذربایجان شرقی", "East Azerbaijan"),
    ("AZW", "آذربایجان غربی", "West Azerbaijan"),
    ("ARD", "اردبیل", "Ardabil"),
    ("ISF", "اصفهان", "Isfahan"),
    ("ALB", "البرز", "Alborz"),
    ("ILM", "ایلام", "Ilam"),
    ("BSH", "بوشهر", "Bushehr"),
    ("THR", "تهران", "Tehran"),
    ("CHB", "چهارمحال و بختیاری", "Chaharmahal and Bakhtiari"),
    ("KHS", "خراسان جنوبی", "South Khorasan"),
    ("KHR", "خراسان رضوی", "Razavi Khorasan"),
    ("KHN", "خراسان شمالی", "North Khorasan"),
    ("KHZ", "خوزستان", "Khuzestan"),
    ("ZAN", "زنجان", "Zanjan"),
    ("SMN", "سمنان", "Semnan"),
    ("SIB", "سیستان و بلوچستان", "Sistan and Baluchestan"),
    ("FAR", "فارس", "Fars"),
    ("QAZ", "قزوین", "Qazvin"),
    ("QOM", "قم", "Qom"),
    ("KRD", "کردستان", "Kurdistan"),
    ("KRM", "کرمان", "Kerman"),
    ("KSH", "کرمانشاه", "Kermanshah"),
    ("KBA", "کهگیلویه و بویراحمد", "Kohgiluyeh and Boyer-Ahmad"),
    ("GLS", "گلستان", "Golestan"),
    ("GIL", "گیلان", "Gilan"),
    ("LOR", "لرستان", "Lorestan"),
    ("MAZ", "مازندران", "Mazandaran"),
    ("MRK", "مرکزی", "Markazi"),
    ("HRM", "هرمزگان", "Hormozgan"),
    ("HMD", "همدان", "Hamadan"),
    ("YZD", "یزد", "Yazd"),
];

pub const FIRST_NAMES_M: &[&str] = &[
    "علی", "محمد", "حسین", "رضا", "مهدی", "امیر", "حمید", "سعید", "مجید", "جواد", "کاظم", "یوسف",
    "ابراهیم", "مرتضی", "بهروز", "فرهاد", "کیوان", "نادر", "داوود", "اکبر",
];
pub const FIRST_NAMES_F: &[&str] = &[
    "فاطمه", "زهرا", "مریم", "سمیه", "لیلا", "نرگس", "الهام", "شیرین", "طاهره", "معصومه", "پروین",
    "رقیه", "سارا", "نسرین", "زینب", "فرشته", "مهناز", "سکینه", "آزاده", "مینا",
];
pub const LAST_NAMES: &[&str] = &[
    "رحیمی", "کریمی", "حسینی", "موسوی", "جعفری", "قاسمی", "صادقی", "نوروزی", "کاظمی", "رستمی",
    "شریفی", "نظری", "یزدانی", "مرادی", "عباسی", "حیدری", "فرهادی", "طاهری", "زارعی", "بهرامی",
    "اکبری", "سلطانی", "ملکی", "نیک‌نام", "پاک‌نهاد",
];
pub const STREETS: &[&str] = &["خیابان بهار", "کوچهٔ یاس", "خیابان امید", "کوچهٔ نسترن", "بلوار آزادی", "خیابان لاله"];

/// Need categories: (code, Persian public title stem, English title stem, typical goal in rials).
pub const NEED_CATEGORIES: [(&str, &str, &str, i64); 7] = [
    ("rent", "کمک به اجارهٔ خانه", "Help with rent", 300_000_000),
    ("food", "سبد غذایی ماهانه", "Monthly food basket", 40_000_000),
    ("school", "لوازم و هزینهٔ مدرسه", "School supplies and fees", 25_000_000),
    ("medical", "هزینهٔ درمان", "Medical costs", 120_000_000),
    ("livelihood", "ابزار کار و معیشت", "Livelihood tools", 200_000_000),
    ("gift", "هدیهٔ کودک", "A child's gift", 10_000_000),
    ("utilities", "قبض‌های خانه", "Household bills", 30_000_000),
];

pub const NEED_STATUSES: [&str; 8] = [
    "draft", "awaiting_verification", "published", "funded", "purchased", "delivered", "expired", "withdrawn",
];

pub const CAMPAIGN_STATUSES: [&str; 7] =
    ["draft", "verified", "published", "funded", "paid_to_court", "released", "closed"];

pub const OFFENCES: [&str; 3] = ["debt", "diyeh", "dower"];

pub const WORKSHOP_KINDS: [(&str, &str, &str); 7] = [
    ("sewing", "کارگاه خیاطی", "Sewing workshop"),
    ("carpentry", "کارگاه نجاری", "Carpentry workshop"),
    ("assembly", "کارگاه مونتاژ", "Assembly workshop"),
    ("agriculture", "مزرعهٔ کشاورزی", "Farm"),
    ("food", "کارگاه بسته‌بندی غذا", "Food packing workshop"),
    ("handicraft", "کارگاه صنایع دستی", "Handicraft workshop"),
    ("it", "کارگاه فناوری اطلاعات", "IT workshop"),
];

pub const SKILLS: &[&str] = &[
    "sewing", "carpentry", "welding", "assembly", "farming", "cooking", "weaving", "it", "electrical", "painting",
];

pub const SECTORS: &[&str] = &["textile", "furniture", "electronics", "agriculture", "food", "handicraft", "software"];
