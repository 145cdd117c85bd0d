//! `karamat seed`: a small believable demo world, or a national-scale one for benchmarks.
//! Everything is generated from a seed number (names are fictional; national codes have valid
//! check digits but belong to nobody known). Personal fields are sealed like real ones.

pub mod reference;
mod writer;

pub use reference::PROVINCES;

use app::auth::ssr::{hash_password, DISABLED_PASSWORD};
use app::auth::Role;
use app::privacy::Sealer;
use app::validation::national_code_check_digit;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reference::*;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement, TransactionTrait, Value,
};
use std::time::Instant;
use writer::{finish, flush_full, Batch};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Scale {
    Demo,
    National,
}

/// How many of each thing a scale makes.
#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    pub prisons_per_province: usize,
    pub families: usize,
    pub prisoners: usize,
    pub needs: usize,
    pub campaigns: usize,
    pub entrepreneurs: usize,
    pub workshops: usize,
    pub contracts: usize,
    pub donations: usize,
}

impl Scale {
    pub fn sizes(self) -> Sizes {
        match self {
            Scale::Demo => Sizes {
                prisons_per_province: 2,
                families: 120,
                prisoners: 200,
                needs: 160,
                campaigns: 28,
                entrepreneurs: 6,
                workshops: 24,
                contracts: 14,
                donations: 900,
            },
            Scale::National => Sizes {
                prisons_per_province: 8,
                families: 64_000,
                prisoners: 200_000,
                needs: 120_000,
                campaigns: 5_000,
                entrepreneurs: 2_000,
                workshops: 1_500,
                contracts: 10_000,
                donations: 1_000_000,
            },
        }
    }
}

/// The password of every demo account (documented in the README; demo data only).
pub const DEMO_PASSWORD: &str = "karamat-demo-1405";

/// One account per role: (role, email, display name, scope: province code / prison index).
pub const DEMO_ACCOUNTS: [(Role, &str, &str); 8] = [
    (Role::Donor, "donor@demo.karamat.ir", "نیکوکار نمونه"),
    (
        Role::Entrepreneur,
        "entrepreneur@demo.karamat.ir",
        "کارآفرین نمونه",
    ),
    (
        Role::SocialWorker,
        "social.worker@demo.karamat.ir",
        "مددکار تهران",
    ),
    (
        Role::PrisonOfficer,
        "prison.officer@demo.karamat.ir",
        "مسئول کارگاه زندان تهران ۱",
    ),
    (
        Role::AssociationManager,
        "manager@demo.karamat.ir",
        "مدیر انجمن تهران",
    ),
    (
        Role::FinanceOfficer,
        "finance@demo.karamat.ir",
        "کارشناس مالی",
    ),
    (Role::NationalAdmin, "admin@demo.karamat.ir", "مدیر کشوری"),
    (Role::Auditor, "auditor@demo.karamat.ir", "حسابرس"),
];

#[derive(Debug)]
pub struct SeedReport {
    pub scale: Scale,
    pub seconds: f64,
    pub rows: Vec<(&'static str, u64)>,
}

impl SeedReport {
    pub fn total_rows(&self) -> u64 {
        self.rows.iter().map(|(_, n)| n).sum()
    }
}

/// True when nothing has been loaded yet (no provinces).
pub async fn is_empty(db: &DatabaseConnection) -> Result<bool, DbErr> {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM provinces",
        ))
        .await?;
    Ok(row
        .map(|r| r.try_get::<i64>("", "n").unwrap_or(0))
        .unwrap_or(0)
        == 0)
}

struct Gen {
    rng: StdRng,
    sealer: Sealer,
    now: DateTime<Utc>,
    today: NaiveDate,
}

impl Gen {
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.rng.gen_range(0..xs.len())]
    }
    fn pick_str(&mut self, xs: &[&'static str]) -> &'static str {
        xs[self.rng.gen_range(0..xs.len())]
    }
    fn code(&mut self, prefix: &str) -> String {
        const A: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        let body: String = (0..10)
            .map(|_| A[self.rng.gen_range(0..A.len())] as char)
            .collect();
        format!("{prefix}-{body}")
    }
    fn name(&mut self, female: bool) -> String {
        let first = if female {
            *self.pick(FIRST_NAMES_F)
        } else {
            *self.pick(FIRST_NAMES_M)
        };
        format!("{first} {}", self.pick(LAST_NAMES))
    }
    fn national_code(&mut self) -> String {
        loop {
            let d: Vec<u32> = (0..9).map(|_| self.rng.gen_range(0..10)).collect();
            if d.iter().all(|x| *x == d[0]) {
                continue;
            }
            let c = national_code_check_digit(&d);
            return d
                .iter()
                .chain(std::iter::once(&c))
                .map(|x| char::from(b'0' + *x as u8))
                .collect();
        }
    }
    fn mobile(&mut self) -> String {
        format!(
            "09{:02}{:07}",
            self.rng.gen_range(10..40),
            self.rng.gen_range(0..10_000_000u32)
        )
    }
    fn name_p(&mut self, p_female: f64) -> String {
        let female = self.rng.gen_bool(p_female);
        self.name(female)
    }
    fn days_ago(&mut self, max: i64) -> DateTime<Utc> {
        self.now - Duration::minutes(self.rng.gen_range(0..max.max(1) * 24 * 60))
    }
    fn seal(&self, col: &str, v: &str) -> Value {
        Value::from(self.sealer.seal(col, v))
    }
    /// A goal rounded to 10,000 rials (1,000 toman).
    fn amount_near(&mut self, typical: i64) -> i64 {
        let v = self.rng.gen_range(typical / 2..=typical * 3 / 2);
        (v / 10_000).max(1) * 10_000
    }
}

fn null_i64() -> Value {
    Value::from(Option::<i64>::None)
}
/// What a sponsor reads of a family offered to sponsors: its kind of support and a redacted story.
const SPONSOR_OFFERS: [(&str, &str); 5] = [
    ("rent", "مادر خانواده با دو فرزند دبستانی زندگی می‌کند و اجارهٔ خانه بزرگ‌ترین دغدغهٔ اوست. کمک ماهانه به او امکان می‌دهد فرزندانش در مدرسه بمانند."),
    ("school", "سه فرزند این خانواده به مدرسه می‌روند و هزینهٔ کتاب، لباس و سرویس مدرسه از توان مادرشان بیرون است."),
    ("food", "خانواده‌ای پنج‌نفره که از وقتی سرپرستش در زندان است، خرید خوراک ماهانه‌اش به کمک دیگران بسته است."),
    ("medical", "یکی از فرزندان این خانواده بیماری مزمن دارد و دارو و رفت‌وآمد به درمانگاه، هر ماه هزینه‌ای ثابت دارد."),
    ("livelihood", "مادر خانواده خیاطی می‌داند و با کمک ماهانه می‌تواند در خانه کار کند و کم‌کم هزینه‌ها را خود بپردازد."),
];

/// A quarter of the consenting families are offered to sponsors: kind, story and since when.
/// Chosen by position, so the generator's stream (and every later row) stays as it was.
fn sponsor_offer(i: usize, consents: bool, created: DateTime<Utc>) -> [Value; 3] {
    if consents && i % 4 == 1 {
        let (kind, story) = SPONSOR_OFFERS[(i / 4) % SPONSOR_OFFERS.len()];
        [s(kind), s(story), Value::from(created)]
    } else {
        [null_str(), null_str(), null_time()]
    }
}

fn null_str() -> Value {
    Value::from(Option::<String>::None)
}
fn null_time() -> Value {
    Value::from(Option::<DateTime<Utc>>::None)
}
fn null_date() -> Value {
    Value::from(Option::<NaiveDate>::None)
}
fn null_bytes() -> Value {
    Value::from(Option::<Vec<u8>>::None)
}
fn s(v: &str) -> Value {
    Value::from(v.to_string())
}

/// Splits `total` into `parts` positive multiples of 10,000 rials that add up exactly.
fn split_amount(rng: &mut StdRng, total: i64, parts: usize) -> Vec<i64> {
    let units = total / 10_000;
    let parts = (parts as i64).clamp(1, units.max(1));
    let mut cuts: Vec<i64> = (0..parts - 1)
        .map(|_| rng.gen_range(1..units.max(2)))
        .collect();
    cuts.sort_unstable();
    cuts.dedup();
    let mut out = Vec::with_capacity(cuts.len() + 1);
    let mut prev = 0;
    for c in cuts {
        out.push((c - prev) * 10_000);
        prev = c;
    }
    out.push((units - prev) * 10_000 + total % 10_000);
    out.retain(|a| *a > 0);
    out
}

pub async fn run(db: &DatabaseConnection, scale: Scale, seed: u64) -> anyhow::Result<SeedReport> {
    if !is_empty(db).await? {
        anyhow::bail!("the database already holds data; seed only loads into an empty database");
    }
    let started = Instant::now();
    let sizes = scale.sizes();
    let now = Utc::now();
    let g = Gen {
        rng: StdRng::seed_from_u64(seed),
        sealer: Sealer::from_env().map_err(|e| anyhow::anyhow!(e))?,
        now,
        today: now.date_naive(),
    };
    let key_id = s(g.sealer.key_id());
    let mut w = Seeding {
        txn: db.begin().await?,
        g,
        rows: Vec::new(),
        sizes,
        now,
        scale,
        key_id,
        seed,
    };

    let places = places(&mut w).await?;
    let people = people(&mut w, &places).await?;
    let families = families(&mut w, &places, &people).await?;
    let prisoners = prisoners(&mut w, &places, &families).await?;
    let Ledger {
        accounts,
        ids: ledger,
    } = system_accounts(&mut w).await?;
    let (need_info, accounts) = needs(&mut w, &families, &people, accounts).await?;
    let campaign_info = campaigns(&mut w, &places, &people, &prisoners, accounts).await?;
    let gifts = donations(&mut w, &people, &ledger, &need_info, &campaign_info).await?;
    payouts(&mut w, &people, &ledger, &need_info, &campaign_info, gifts).await?;
    let prison_officer = people.prison_officer;
    let employment = employment(&mut w, &places, people).await?;
    workers(&mut w, &employment, &prisoners, prison_officer).await?;

    let Seeding { txn, rows, .. } = w;
    reset_sequences(&txn, &rows).await?;
    // The entries were written in bulk, not through `ledger::post`: each account's stored
    // balance from its entries, once.
    txn.execute_unprepared(migrations::RECOMPUTE_BALANCES)
        .await?;
    txn.commit().await?;
    // Statistics for the planner now: without them (and PostgreSQL's autovacuum may be off) the
    // first queries on millions of fresh rows are planned blind.
    db.execute_unprepared("ANALYZE").await?;
    // The public figures, so the first visitor does not wait for them.
    app::transparency::snapshot::refresh(db)
        .await
        .map_err(|e| anyhow::anyhow!("public figures: {e}"))?;
    if db.get_database_backend() == DbBackend::Sqlite {
        // Fold the write-ahead log into the database file now rather than at some later open.
        db.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
            .await?;
    }
    Ok(SeedReport {
        scale,
        seconds: started.elapsed().as_secs_f64(),
        rows,
    })
}

/// Provinces and prisons.
async fn places(w: &mut Seeding) -> anyhow::Result<Places> {
    let g = &mut w.g;
    let txn = &w.txn;
    let rows = &mut w.rows;
    let sizes = w.sizes;
    // Places.
    let mut provinces = Batch::new("provinces", &["code", "name_fa", "name_en", "sort_order"]);
    for (i, (code, fa, en)) in PROVINCES.iter().enumerate() {
        provinces.push(vec![s(code), s(fa), s(en), Value::from(i as i32)]);
    }
    finish(txn, &mut [&mut provinces], rows).await?;

    let mut prisons = Batch::new(
        "prisons",
        &[
            "province_id",
            "code",
            "name_fa",
            "name_en",
            "kind",
            "capacity",
        ],
    );
    let mut prison_province = Vec::new();
    for (pi, (code, fa, en)) in PROVINCES.iter().enumerate() {
        for k in 1..=sizes.prisons_per_province {
            let kind = if k == 1 { "central" } else { "county" };
            let (name_fa, name_en) = if k == 1 {
                (format!("زندان مرکزی {fa}"), format!("{en} Central Prison"))
            } else {
                (
                    format!("زندان شمارهٔ {k} {fa}"),
                    format!("{en} Prison No. {k}"),
                )
            };
            prisons.push(vec![
                Value::from(pi as i64 + 1),
                s(&format!("{code}-{k:02}")),
                s(&name_fa),
                s(&name_en),
                s(kind),
                Value::from(g.rng.gen_range(400..4000i32)),
            ]);
            prison_province.push(pi as i64 + 1);
        }
    }
    finish(txn, &mut [&mut prisons], rows).await?;
    let n_prisons = prison_province.len();
    let tehran = PROVINCES.iter().position(|p| p.0 == "THR").unwrap() as i64 + 1;
    let tehran_prison = prison_province.iter().position(|p| *p == tehran).unwrap() as i64 + 1;
    Ok(Places {
        prison_province,
        n_prisons,
        tehran,
        tehran_prison,
    })
}

/// One account per role (the documented demo password), with the staff scopes.
async fn people(w: &mut Seeding, places: &Places) -> anyhow::Result<People> {
    let g = &mut w.g;
    let txn = &w.txn;
    let now = w.now;
    let tehran = places.tehran;
    let tehran_prison = places.tehran_prison;
    // Accounts: one per role with the documented demo password, plus entrepreneurs' accounts.
    let user_cols: &'static [&'static str] = &[
        "public_id",
        "email",
        "phone",
        "display_name",
        "password_hash",
        "role",
        "is_active",
        "totp_secret_enc",
        "totp_enabled",
        "locale",
        "created_at",
        "last_login_at",
    ];
    let mut users = Batch::new("users", user_cols);
    let demo_hash = {
        let pw = DEMO_PASSWORD.to_string();
        tokio::task::spawn_blocking(move || hash_password(&pw))
            .await?
            .map_err(|e| anyhow::anyhow!("{e}"))?
    };
    let mut scopes = Batch::new("user_scopes", &["user_id", "province_id", "prison_id"]);
    let mut role_user = std::collections::HashMap::new();
    for (role, email, name) in DEMO_ACCOUNTS {
        let id = users.push(vec![
            s(&g.code("U")),
            s(email),
            null_str(),
            s(name),
            s(&demo_hash),
            s(role.as_str()),
            Value::from(true),
            // Staff sign in with a second factor; the demo's shared secret is documented.
            if role.is_staff() {
                g.seal(app::auth::totp::SECRET_COLUMN, app::auth::totp::DEMO_SECRET)
            } else {
                null_bytes()
            },
            Value::from(role.is_staff()),
            s("fa"),
            Value::from(now),
            null_time(),
        ]);
        role_user.insert(role, id);
        match role {
            Role::SocialWorker | Role::AssociationManager => {
                scopes.push(vec![Value::from(id), Value::from(tehran), null_i64()]);
            }
            Role::PrisonOfficer => {
                scopes.push(vec![
                    Value::from(id),
                    Value::from(tehran),
                    Value::from(tehran_prison),
                ]);
            }
            _ => {}
        }
    }
    users.flush(txn).await?;
    scopes.flush(txn).await?;
    let social_worker = role_user[&Role::SocialWorker];
    let prison_officer = role_user[&Role::PrisonOfficer];
    let manager = role_user[&Role::AssociationManager];
    let donor_user = role_user[&Role::Donor];
    Ok(People {
        users,
        scopes,
        role_user,
        social_worker,
        prison_officer,
        manager,
        donor_user,
    })
}

/// Families and their households.
async fn families(w: &mut Seeding, places: &Places, people: &People) -> anyhow::Result<Families> {
    let g = &mut w.g;
    let txn = &w.txn;
    let rows = &mut w.rows;
    let sizes = w.sizes;
    let now = w.now;
    let scale = w.scale;
    let key_id = &w.key_id;
    let n_prisons = places.n_prisons;
    let prison_province = &places.prison_province;
    let social_worker = people.social_worker;
    let tehran_prison = places.tehran_prison;
    // Families and their households.
    let mut families = Batch::new(
        "families",
        &[
            "public_code",
            "province_id",
            "prison_id",
            "head_name_enc",
            "national_code_enc",
            "national_code_bidx",
            "phone_enc",
            "address_enc",
            "situation_enc",
            "key_id",
            "household_size",
            "status",
            "consent_publish",
            "consent_recorded_at",
            "consent_withdrawn_at",
            "created_by",
            "created_at",
            "updated_at",
            "sponsor_kind",
            "sponsor_story",
            "sponsor_opened_at",
        ],
    );
    let mut members = Batch::new(
        "household_members",
        &[
            "family_id",
            "name_enc",
            "national_code_enc",
            "national_code_bidx",
            "key_id",
            "relation",
            "birth_year",
            "is_child",
            "school_grade",
        ],
    );
    let mut family_province = Vec::with_capacity(sizes.families);
    let mut family_prison = Vec::with_capacity(sizes.families);
    let mut family_size = Vec::with_capacity(sizes.families);
    // Needs are attached only to families whose consent to publish is recorded and current.
    let mut family_consents = Vec::with_capacity(sizes.families);
    for i in 0..sizes.families {
        // A third of demo families live in Tehran so the scoped demo staff have work.
        let prison = if scale == Scale::Demo && i % 3 == 0 {
            tehran_prison
        } else {
            g.rng.gen_range(1..=n_prisons as i64)
        };
        let province = prison_province[(prison - 1) as usize];
        let size = g.rng.gen_range(2..=6i32);
        let head = g.name(true);
        let nc = g.national_code();
        let created = g.days_ago(400);
        let withdrawn = g.rng.gen_ratio(1, 50);
        family_consents.push(!withdrawn);
        let phone = g.mobile();
        let address = format!("{}، پلاک {}", g.pick(STREETS), g.rng.gen_range(1..200));
        let mut row = vec![
            s(&g.code("F")),
            Value::from(province),
            Value::from(prison),
            g.seal("families.head_name", &head),
            g.seal("families.national_code", &nc),
            s(&g.sealer.blind_index("national_code", &nc)),
            g.seal("families.phone", &phone),
            g.seal("families.address", &address),
            g.seal(
                "families.situation",
                "سرپرست خانواده در زندان است؛ درآمد ثابتی ندارند.",
            ),
            key_id.clone(),
            Value::from(size),
            s("active"),
            Value::from(!withdrawn),
            Value::from(created),
            if withdrawn {
                Value::from(now)
            } else {
                null_time()
            },
            Value::from(social_worker),
            Value::from(created),
            Value::from(created),
        ];
        row.extend(sponsor_offer(i, !withdrawn, created));
        let fid = families.push(row);
        household(g, &mut members, fid, size, key_id);
        flush_full(txn, &mut [&mut families, &mut members]).await?;
        family_province.push(province);
        family_prison.push(prison);
        family_size.push(size);
    }
    finish(txn, &mut [&mut families, &mut members], rows).await?;
    Ok(Families {
        family_province,
        family_prison,
        family_size,
        family_consents,
    })
}

/// A family's other members: children (the younger ones at primary school) and adults.
fn household(g: &mut Gen, members: &mut Batch, family_id: i64, size: i32, key_id: &Value) {
    for m in 1..size {
        let child = m > 1 || g.rng.gen_bool(0.3);
        let birth_year = if child {
            g.rng.gen_range(1385..1402)
        } else {
            g.rng.gen_range(1345..1380)
        };
        let name = g.name_p(0.5);
        let mnc = g.national_code();
        members.push(vec![
            Value::from(family_id),
            g.seal("household_members.name", &name),
            g.seal("household_members.national_code", &mnc),
            s(&g.sealer.blind_index("national_code", &mnc)),
            key_id.clone(),
            s(if child { "child" } else { "parent" }),
            Value::from(birth_year),
            Value::from(child),
            if child && birth_year > 1390 {
                s("primary")
            } else {
                null_str()
            },
        ]);
    }
}

/// Prisoners: the families' imprisoned members first, then others.
async fn prisoners(
    w: &mut Seeding,
    places: &Places,
    families: &Families,
) -> anyhow::Result<Prisoners> {
    let g = &mut w.g;
    let txn = &w.txn;
    let rows = &mut w.rows;
    let sizes = w.sizes;
    let key_id = &w.key_id;
    let family_prison = &families.family_prison;
    let n_prisons = places.n_prisons;
    // Prisoners: the first `families` are the families' imprisoned members.
    let mut prisoners = Batch::new(
        "prisoners",
        &[
            "public_code",
            "family_id",
            "prison_id",
            "name_enc",
            "national_code_enc",
            "national_code_bidx",
            "key_id",
            "offence_category",
            "sentence_start",
            "sentence_end",
            "conduct",
            "skills",
            "prior_conviction",
            "consent_work",
            "consent_work_at",
            "consent_campaign",
            "consent_campaign_at",
            "consent_jobs_after_release",
            "released_on",
            "created_at",
            "updated_at",
        ],
    );
    let mut prisoner_prison = Vec::with_capacity(sizes.prisoners);
    // Campaigns are drafted only for prisoners who consented to one.
    let mut prisoner_consents = Vec::with_capacity(sizes.prisoners);
    // Prisoners who consented to work, by prison: the seed's contracts employ some of them.
    let mut fit_to_work: std::collections::HashMap<i64, Vec<i64>> = Default::default();
    for i in 0..sizes.prisoners {
        // One prisoner per family first (`family_prison` has one entry per family), then the rest.
        let (family, prison) = if let Some(&prison) = family_prison.get(i) {
            (Value::from(i as i64 + 1), prison)
        } else {
            (null_i64(), g.rng.gen_range(1..=n_prisons as i64))
        };
        let name = g.name_p(0.1);
        let nc = g.national_code();
        let start = g.today - Duration::days(g.rng.gen_range(30..2000));
        let end = start + Duration::days(g.rng.gen_range(365..3650));
        let skills: Vec<&str> = (0..g.rng.gen_range(0..3))
            .map(|_| *g.pick(SKILLS))
            .collect();
        let consent_work = g.rng.gen_bool(0.6);
        let created = g.days_ago(600);
        // Drawn below where it always was, so the rest of the generated data stays the same.
        let consent_campaign;
        prisoners.push(vec![
            s(&g.code("P")),
            family,
            Value::from(prison),
            g.seal("prisoners.name", &name),
            g.seal("prisoners.national_code", &nc),
            s(&g.sealer.blind_index("national_code", &nc)),
            key_id.clone(),
            s(g.pick_str(&["debt", "diyeh", "dower", "other", "other"])),
            Value::from(start),
            Value::from(end),
            s(g.pick_str(&["excellent", "good", "good", "fair"])),
            s(&serde_json::to_string(&skills)?),
            Value::from(g.rng.gen_bool(0.2)),
            Value::from(consent_work),
            if consent_work {
                Value::from(created)
            } else {
                null_time()
            },
            {
                consent_campaign = g.rng.gen_bool(0.5);
                prisoner_consents.push(consent_campaign);
                Value::from(consent_campaign)
            },
            // Consent is recorded with its date, like every consent.
            if consent_campaign {
                Value::from(created)
            } else {
                null_time()
            },
            Value::from(g.rng.gen_bool(0.5)),
            null_date(),
            Value::from(created),
            Value::from(created),
        ]);
        flush_full(txn, &mut [&mut prisoners]).await?;
        prisoner_prison.push(prison);
        if consent_work {
            fit_to_work.entry(prison).or_default().push(i as i64 + 1);
        }
    }
    finish(txn, &mut [&mut prisoners], rows).await?;
    Ok(Prisoners {
        prisoner_prison,
        prisoner_consents,
        fit_to_work,
    })
}

/// The ledger's system accounts: the gateway's clearing account, the bank, each kind's fund.
async fn system_accounts(w: &mut Seeding) -> anyhow::Result<Ledger> {
    let now = w.now;
    // Ledger: system accounts first.
    let mut accounts = Batch::new(
        "ledger_accounts",
        &[
            "code",
            "kind",
            "name",
            "need_id",
            "campaign_id",
            "family_id",
            "category",
            "may_go_negative",
            "created_at",
        ],
    );
    // A system account (no need, campaign or family): a clearing or bank asset, which may go
    // negative, or a kind's fund, which may not.
    let system = |code: &str, kind: &str, name: &str, category: Value, negative: bool| {
        vec![
            s(code),
            s(kind),
            s(name),
            null_i64(),
            null_i64(),
            null_i64(),
            category,
            Value::from(negative),
            Value::from(now),
        ]
    };
    let gateway_account = accounts.push(system(
        "asset:gateway:sandbox",
        "asset",
        "Sandbox bank clearing",
        null_str(),
        true,
    ));
    // The operating account that pays vendors, landlords and courts (ledger::Account::Bank).
    let bank_account = accounts.push(system(
        "asset:bank:operating",
        "asset",
        "Operating bank account",
        null_str(),
        true,
    ));
    let mut category_fund = std::collections::HashMap::new();
    for (cat, _, en, _) in NEED_CATEGORIES {
        let id = accounts.push(system(
            &format!("fund:category:{cat}"),
            "fund",
            &format!("{en} fund"),
            s(cat),
            false,
        ));
        category_fund.insert(cat, id);
    }
    Ok(Ledger {
        accounts,
        ids: LedgerIds {
            gateway_account,
            bank_account,
            category_fund,
        },
    })
}

/// Needs, each with its own fund account.
async fn needs(
    w: &mut Seeding,
    families: &Families,
    people: &People,
    accounts: Batch,
) -> anyhow::Result<(Vec<NeedInfo>, Batch)> {
    let g = &mut w.g;
    let txn = &w.txn;
    let rows = &mut w.rows;
    let sizes = w.sizes;
    let scale = w.scale;
    let key_id = &w.key_id;
    let family_consents = &families.family_consents;
    let family_province = &families.family_province;
    let family_size = &families.family_size;
    let manager = people.manager;
    let social_worker = people.social_worker;
    let mut accounts = accounts;
    // Needs, each with its own fund account.
    let mut needs = Batch::new("needs", NEED_COLUMNS);
    let mut need_info = Vec::with_capacity(sizes.needs);
    for i in 0..sizes.needs {
        let fam = next_consenting(family_consents, g.rng.gen_range(0..sizes.families));
        let (cat, title_fa, _, typical) =
            NEED_CATEGORIES[g.rng.gen_range(0..NEED_CATEGORIES.len())];
        // Demo: every state appears; national: mostly published and done.
        let status = if scale == Scale::Demo {
            NEED_STATUSES[i % NEED_STATUSES.len()]
        } else {
            g.pick_str(NATIONAL_NEED_STATUSES)
        };
        let goal = g.amount_near(typical);
        let created = g.days_ago(300);
        let published = created + Duration::days(2);
        // When a step was reached, for a need that reached it.
        let reached = |states: &[&str], days: i64| {
            if states.contains(&status) {
                Value::from(published + Duration::days(days))
            } else {
                null_time()
            }
        };
        let size = family_size[fam];
        let band = app::casework::service::household_band(size);
        let occasion = if cat == "gift" {
            s(g.pick_str(&["mehr", "yalda", "nowruz"]))
        } else {
            null_str()
        };
        let story = format!(
            "{title_fa} برای خانواده‌ای {} نفره که سرپرستش در زندان است. مددکار انجمن نیاز را بررسی و تأیید کرده و خرید مستقیم از فروشنده انجام می‌شود.",
            size
        );
        let verified = !matches!(status, "draft" | "awaiting_verification");
        let nid = needs.push(vec![
            s(&g.code("N")),
            Value::from(fam as i64 + 1),
            Value::from(family_province[fam]),
            s(cat),
            s(title_fa),
            s(&story),
            g.seal(
                "needs.private_notes",
                "بازدید منزل انجام شد؛ قرارداد اجاره و فاکتورها در پرونده است.",
            ),
            key_id.clone(),
            Value::from(goal),
            s(band),
            null_str(),
            occasion,
            // Open needs are due in the future; expired ones passed their deadline.
            Value::from(if status == "expired" {
                g.today - Duration::days(g.rng.gen_range(1..60))
            } else {
                g.today + Duration::days(g.rng.gen_range(5..90))
            }),
            s(status),
            s(if cat == "rent" {
                "pay_landlord"
            } else {
                "purchase_from_vendor"
            }),
            Value::from(false),
            Value::from(social_worker),
            if verified {
                Value::from(manager)
            } else {
                null_i64()
            },
            if verified {
                Value::from(published)
            } else {
                null_time()
            },
            reached(&["funded", "purchased", "delivered"], 10),
            reached(&["purchased", "delivered"], 14),
            reached(&["delivered"], 20),
            Value::from(created),
            Value::from(created),
            s(&app::validation::search_text(&format!(
                "{title_fa} {story}"
            ))),
        ]);
        let account = accounts.push(need_fund(nid, cat, created));
        flush_full(txn, &mut [&mut needs, &mut accounts]).await?;
        need_info.push(NeedInfo {
            account,
            goal,
            status,
            published,
            category: cat,
        });
    }
    finish(txn, &mut [&mut needs], rows).await?;
    Ok((need_info, accounts))
}

/// A need's own fund account (it may not go below zero).
fn need_fund(need_id: i64, category: &str, created: DateTime<Utc>) -> Vec<Value> {
    vec![
        s(&format!("fund:need:{need_id}")),
        s("fund"),
        s("Need fund"),
        Value::from(need_id),
        null_i64(),
        null_i64(),
        s(category),
        Value::from(false),
        Value::from(created),
    ]
}

const NEED_COLUMNS: &[&str] = &[
    "public_code",
    "family_id",
    "province_id",
    "category",
    "public_title",
    "public_story",
    "private_notes_enc",
    "key_id",
    "goal_rials",
    "household_band",
    "age_band",
    "occasion",
    "deadline",
    "status",
    "fulfilment_method",
    "hide_province",
    "author_id",
    "verifier_id",
    "published_at",
    "funded_at",
    "purchased_at",
    "delivered_at",
    "created_at",
    "updated_at",
    "search_text",
];

/// A national seed's needs: mostly published and done, some drafts, waiting and expired.
const NATIONAL_NEED_STATUSES: &[&str] = &[
    "published",
    "published",
    "published",
    "funded",
    "purchased",
    "delivered",
    "delivered",
    "draft",
    "awaiting_verification",
    "expired",
];

/// Release campaigns for consenting prisoners.
async fn campaigns(
    w: &mut Seeding,
    places: &Places,
    people: &People,
    prisoners: &Prisoners,
    accounts: Batch,
) -> anyhow::Result<Vec<CampaignInfo>> {
    let g = &mut w.g;
    let txn = &w.txn;
    let rows = &mut w.rows;
    let sizes = w.sizes;
    let scale = w.scale;
    let key_id = &w.key_id;
    let manager = people.manager;
    let prison_province = &places.prison_province;
    let prisoner_consents = &prisoners.prisoner_consents;
    let prisoner_prison = &prisoners.prisoner_prison;
    let social_worker = people.social_worker;
    let mut accounts = accounts;
    // Release campaigns for consenting prisoners.
    let mut campaigns = Batch::new(
        "release_campaigns",
        &[
            "public_code",
            "prisoner_id",
            "province_id",
            "offence_category",
            "total_owed_rials",
            "forgiveness_rials",
            "creditor_enc",
            "key_id",
            "eligibility",
            "public_title",
            "public_story",
            "status",
            "court_account_ref",
            "author_id",
            "verifier_id",
            "published_at",
            "funded_at",
            "paid_at",
            "released_on",
            "created_at",
            "updated_at",
        ],
    );
    let mut campaign_info = Vec::with_capacity(sizes.campaigns);
    for i in 0..sizes.campaigns {
        let p = next_consenting(prisoner_consents, g.rng.gen_range(0..sizes.prisoners));
        let offence = OFFENCES[i % 3];
        let status = if scale == Scale::Demo {
            CAMPAIGN_STATUSES[i % CAMPAIGN_STATUSES.len()]
        } else {
            g.pick_str(&[
                "published",
                "published",
                "funded",
                "paid_to_court",
                "released",
                "closed",
                "draft",
                "verified",
            ])
        };
        let owed = g.amount_near(2_000_000_000);
        let forgiveness = (owed / 10_000 * g.rng.gen_range(0..40) / 100) * 10_000;
        let created = g.days_ago(300);
        let published = created + Duration::days(3);
        let past = CAMPAIGN_STATUSES
            .iter()
            .position(|x| *x == status)
            .unwrap_or(0);
        let creditor = g.name_p(0.5);
        let title = match offence {
            // The title names the need (a debt, a diyeh, a dower), never labels the person.
            "debt" => "پرداخت بدهی برای بازگشت یک پدر به خانه",
            "diyeh" => "پرداخت دیهٔ یک حادثهٔ غیرعمد",
            _ => "پرداخت مهریه برای بازگشت به خانواده",
        };
        let cid = campaigns
            .push(vec![
                    s(&g.code("C")), Value::from(p as i64 + 1), Value::from(prisoner_prison_province(prison_province, prisoner_prison, p)),
                    s(offence), Value::from(owed), Value::from(forgiveness),
                    g.seal("release_campaigns.creditor", &creditor), key_id.clone(),
                    s(r#"{"eligible_offence":true,"no_prior_conviction":true,"conduct_certified":true,"means_tested":true}"#),
                    s(title), s("محکومیتی مالی که با گذشت شاکی و کمک نیکوکاران پرداخت می‌شود؛ مبلغ مستقیم به حساب اجرای احکام واریز می‌شود."),
                    s(status), if past >= 4 { s(&format!("EJRA-{}", 100000 + i)) } else { null_str() },
                    Value::from(social_worker), if past >= 1 { Value::from(manager) } else { null_i64() },
                    if past >= 2 { Value::from(published) } else { null_time() },
                    if past >= 3 { Value::from(published + Duration::days(20)) } else { null_time() },
                    if past >= 4 { Value::from(published + Duration::days(25)) } else { null_time() },
                    if past >= 5 { Value::from((published + Duration::days(30)).date_naive()) } else { null_date() },
                    Value::from(created), Value::from(created),
                ],
            );
        let account = accounts.push(vec![
            s(&format!("fund:campaign:{cid}")),
            s("fund"),
            s("Release campaign fund"),
            null_i64(),
            Value::from(cid),
            null_i64(),
            null_str(),
            Value::from(false),
            Value::from(created),
        ]);
        flush_full(txn, &mut [&mut campaigns, &mut accounts]).await?;
        campaign_info.push((account, owed - forgiveness, past, published));
    }
    finish(txn, &mut [&mut campaigns, &mut accounts], rows).await?;
    Ok(campaign_info)
}

/// Donations, each settled one with its balanced ledger transaction.
async fn donations(
    w: &mut Seeding,
    people: &People,
    ledger: &LedgerIds,
    need_info: &[NeedInfo],
    campaign_info: &[CampaignInfo],
) -> anyhow::Result<Gifts> {
    let seed = w.seed;
    let g = &mut w.g;
    let txn = &w.txn;
    let sizes = w.sizes;
    let key_id = &w.key_id;
    let category_fund = &ledger.category_fund;
    let donor_user = people.donor_user;
    let gateway_account = ledger.gateway_account;
    // Donations, each settled one with its balanced ledger transaction.
    let (mut donations, mut txns, mut entries) = gift_batches();
    let plan = plan_gifts(g, sizes, need_info, campaign_info);
    let mut raised_by_account: std::collections::HashMap<i64, i64> =
        std::collections::HashMap::new();
    for (k, (need, campaign, amount, after)) in plan.into_iter().enumerate() {
        let created =
            after + Duration::minutes(g.rng.gen_range(0..(g.now - after).num_minutes().max(1)));
        let failed = need.is_none() && campaign.is_none() && g.rng.gen_ratio(1, 40);
        let (kind, need_id, campaign_id, category, account) = match (need, campaign) {
            (Some(i), _) => (
                "need",
                Value::from(i as i64 + 1),
                null_i64(),
                s(need_info[i].category),
                need_info[i].account,
            ),
            (_, Some(c)) => (
                "campaign",
                null_i64(),
                Value::from(c as i64 + 1),
                null_str(),
                campaign_info[c].0,
            ),
            _ => {
                let cat = NEED_CATEGORIES[g.rng.gen_range(0..NEED_CATEGORIES.len())].0;
                (
                    "category_fund",
                    null_i64(),
                    null_i64(),
                    s(cat),
                    category_fund[cat],
                )
            }
        };
        let named = g.rng.gen_ratio(1, 8);
        let status = if failed { "failed" } else { "settled" };
        let did = donations.push(vec![
            s(&g.code("T")),
            s(kind),
            need_id,
            campaign_id,
            category,
            Value::from(amount),
            Value::from(0i64),
            Value::from(!named),
            if named {
                s("یک نیکوکار")
            } else {
                null_str()
            },
            null_str(),
            null_str(),
            null_bytes(),
            null_str(),
            key_id.clone(),
            if k % 50 == 0 {
                Value::from(donor_user)
            } else {
                null_i64()
            },
            null_i64(),
            s(status),
            s("sandbox"),
            s(&format!("SBX-A{k:09}")),
            if failed {
                null_str()
            } else {
                s(&format!("SBX-R{k:09}"))
            },
            s(&format!("seed-{seed}-{k}")),
            Value::from(created),
            if failed {
                null_time()
            } else {
                Value::from(created)
            },
        ]);
        if !failed {
            *raised_by_account.entry(account).or_default() += amount;
            let code = g.code("L");
            post_pair(
                &mut txns,
                &mut entries,
                (&code, "gift", "gift received"),
                (Value::from(did), null_i64()),
                (gateway_account, account, amount),
                created,
            );
        }
        flush_full(txn, &mut [&mut donations, &mut txns, &mut entries]).await?;
    }
    Ok(Gifts {
        donations,
        txns,
        entries,
        raised_by_account,
    })
}

/// The tables a gift writes: the donation, its ledger group and the group's entries.
fn gift_batches() -> (Batch, Batch, Batch) {
    let donations = Batch::new(
        "donations",
        &[
            "tracking_code",
            "target_kind",
            "need_id",
            "campaign_id",
            "category",
            "amount_rials",
            "overflow_rials",
            "anonymous",
            "display_name",
            "dedication_kind",
            "dedication_text",
            "contact_enc",
            "contact_hint",
            "key_id",
            "donor_user_id",
            "pledge_id",
            "status",
            "gateway",
            "gateway_authority",
            "gateway_ref",
            "idempotency_key",
            "created_at",
            "settled_at",
        ],
    );
    let txns = Batch::new(
        "ledger_transactions",
        &[
            "public_code",
            "kind",
            "memo",
            "donation_id",
            "created_by",
            "created_at",
        ],
    );
    let entries = Batch::new(
        "ledger_entries",
        &["transaction_id", "account_id", "amount_rials", "created_at"],
    );
    (donations, txns, entries)
}

/// Which gifts the seed gives: funded needs met exactly, published ones partly, campaigns by
/// how far along they are, and gifts to the kinds' funds to make up the scale's number.
fn plan_gifts(
    g: &mut Gen,
    sizes: Sizes,
    need_info: &[NeedInfo],
    campaign_info: &[CampaignInfo],
) -> Vec<PlannedGift> {
    let mut plan: Vec<PlannedGift> = Vec::new();
    let per_need = (sizes.donations as f64 * 0.85 / sizes.needs as f64 / 0.6).max(2.0) as usize;
    for (i, n) in need_info.iter().enumerate() {
        let share = match n.status {
            "funded" | "purchased" | "delivered" => 100,
            "published" | "expired" => g.rng.gen_range(5..90),
            _ => 0,
        };
        if share == 0 {
            continue;
        }
        let raised = (n.goal / 10_000 * share / 100) * 10_000;
        if raised == 0 {
            continue;
        }
        let parts = g.rng.gen_range(1..=per_need * 2);
        for a in split_amount(&mut g.rng, raised, parts) {
            plan.push((Some(i), None, a, n.published));
        }
    }
    for (i, (_, to_raise, past, published)) in campaign_info.iter().enumerate() {
        if *past < 2 {
            continue;
        }
        let raised = if *past >= 3 {
            *to_raise
        } else {
            to_raise / 10_000 * g.rng.gen_range(5..90) / 100 * 10_000
        };
        if raised <= 0 {
            continue;
        }
        let parts = g.rng.gen_range(1..=per_need * 3);
        for a in split_amount(&mut g.rng, raised, parts) {
            plan.push((None, Some(i), a, *published));
        }
    }
    plan.truncate(sizes.donations);
    let presets = [500_000i64, 1_000_000, 2_000_000, 5_000_000];
    while plan.len() < sizes.donations {
        let a = *g.pick(&presets);
        let at = g.days_ago(200);
        plan.push((None, None, a, at));
    }
    plan
}

/// What was bought and what reached a court, paid out as staff would have done it.
async fn payouts(
    w: &mut Seeding,
    people: &People,
    ledger: &LedgerIds,
    need_info: &[NeedInfo],
    campaign_info: &[CampaignInfo],
    gifts: Gifts,
) -> anyhow::Result<()> {
    let g = &mut w.g;
    let txn = &w.txn;
    let rows = &mut w.rows;
    let bank_account = ledger.bank_account;
    let social_worker = people.social_worker;
    let Gifts {
        mut donations,
        mut txns,
        mut entries,
        raised_by_account,
    } = gifts;
    // What was bought and what reached a court was paid out, as staff would have done it
    // (casework::service::pay_out): the fund debited, the bank credited, the disbursement paid.
    // Without these the public "paid out" and the staff KPIs would read 0 beside needs shown
    // as delivered and people shown as freed.
    let mut disbursements = Batch::new(
        "disbursements",
        &[
            "public_code",
            "need_id",
            "campaign_id",
            "payee_id",
            "amount_rials",
            "purpose",
            "reference",
            "evidence_ref",
            "status",
            "requested_by",
            "transaction_id",
            "created_at",
            "paid_at",
        ],
    );
    let paid_needs = need_info
        .iter()
        .enumerate()
        .filter(|(_, n)| matches!(n.status, "purchased" | "delivered"))
        .map(|(i, n)| {
            (
                Some((i, n.category)),
                None,
                n.account,
                n.published + Duration::days(14),
            )
        });
    let paid_campaigns = campaign_info
        .iter()
        .enumerate()
        .filter(|(_, (_, _, past, _))| *past >= 4)
        .map(|(c, (account, _, _, published))| {
            (None, Some(c), *account, *published + Duration::days(25))
        });
    for (need, campaign, account, at) in paid_needs.chain(paid_campaigns).collect::<Vec<_>>() {
        let amount = raised_by_account.get(&account).copied().unwrap_or(0);
        if amount <= 0 {
            continue;
        }
        let at = at.min(g.now);
        let code = g.code("L");
        let memo = if need.is_some() {
            "purchase for a need"
        } else {
            "payment to the court"
        };
        let tid = post_pair(
            &mut txns,
            &mut entries,
            (&code, "disbursement", memo),
            (null_i64(), Value::from(social_worker)),
            (account, bank_account, amount),
            at,
        );
        disbursements.push(vec![
            s(&g.code("D")),
            need.map_or(null_i64(), |(i, _)| Value::from(i as i64 + 1)),
            campaign.map_or(null_i64(), |c| Value::from(c as i64 + 1)),
            null_i64(),
            Value::from(amount),
            s(need.map_or("court", |(_, category)| category)),
            null_str(),
            null_str(),
            s("paid"),
            Value::from(social_worker),
            Value::from(tid),
            Value::from(at),
            Value::from(at),
        ]);
        flush_full(txn, &mut [&mut txns, &mut entries, &mut disbursements]).await?;
    }
    finish(
        txn,
        &mut [&mut donations, &mut txns, &mut entries, &mut disbursements],
        rows,
    )
    .await?;
    Ok(())
}

/// Employment: entrepreneurs (the demo one first), workshops and contracts.
async fn employment(
    w: &mut Seeding,
    places: &Places,
    people: People,
) -> anyhow::Result<Employment> {
    entrepreneurs(w, places, people).await?;
    let workshop_prison = workshops(w, places).await?;
    let (contract_states, contract_workshop) = contracts(w).await?;
    Ok(Employment {
        contract_states,
        contract_workshop,
        workshop_prison,
    })
}

/// Entrepreneurs, each with an account (the demo entrepreneur's is the seeded role account).
async fn entrepreneurs(w: &mut Seeding, places: &Places, people: People) -> anyhow::Result<()> {
    let g = &mut w.g;
    let txn = &w.txn;
    let rows = &mut w.rows;
    let sizes = w.sizes;
    let now = w.now;
    let tehran = places.tehran;
    let People {
        mut users,
        mut scopes,
        role_user,
        manager,
        ..
    } = people;
    // Employment: entrepreneurs (the demo one first), workshops, contracts, a wage rule.
    let mut entrepreneurs = Batch::new(
        "entrepreneurs",
        &[
            "public_code",
            "user_id",
            "province_id",
            "company_name",
            "national_company_id",
            "economic_code",
            "contact_name",
            "contact_phone",
            "sector",
            "status",
            "verified_by",
            "verified_at",
            "created_at",
        ],
    );
    for i in 0..sizes.entrepreneurs {
        let user_id = if i == 0 {
            role_user[&Role::Entrepreneur]
        } else {
            let name = g.name_p(0.3);
            users.push(vec![
                s(&g.code("U")),
                s(&format!("entrepreneur{i}@example.karamat.ir")),
                null_str(),
                s(&name),
                s(DISABLED_PASSWORD),
                s("entrepreneur"),
                Value::from(true),
                null_bytes(),
                Value::from(false),
                s("fa"),
                Value::from(now),
                null_time(),
            ])
        };
        let verified = i == 0 || !g.rng.gen_ratio(1, 6);
        let company = format!(
            "شرکت {} {}",
            g.pick_str(&["تولیدی", "صنایع", "بازرگانی", "فناوری"]),
            g.pick(LAST_NAMES)
        );
        let contact = g.name(false);
        let phone = g.mobile();
        entrepreneurs.push(vec![
            s(&g.code("E")),
            Value::from(user_id),
            Value::from(if i == 0 {
                tehran
            } else {
                g.rng.gen_range(1..=31i64)
            }),
            s(&company),
            s(&company_id(10_100_000_000i64 / 10 + i as i64)),
            s(&format!("{:012}", 411_100_000_000i64 + i as i64)),
            s(&contact),
            s(&phone),
            s(g.pick_str(SECTORS)),
            s(if verified { "verified" } else { "pending" }),
            if verified {
                Value::from(manager)
            } else {
                null_i64()
            },
            if verified {
                Value::from(now)
            } else {
                null_time()
            },
            Value::from(now),
        ]);
        flush_full(txn, &mut [&mut users, &mut entrepreneurs]).await?;
    }
    finish(
        txn,
        &mut [&mut users, &mut scopes, &mut entrepreneurs],
        rows,
    )
    .await?;
    Ok(())
}

/// Prison workshops, a quarter of them in Tehran's first prison.
async fn workshops(w: &mut Seeding, places: &Places) -> anyhow::Result<Vec<i64>> {
    let g = &mut w.g;
    let txn = &w.txn;
    let rows = &mut w.rows;
    let sizes = w.sizes;
    let now = w.now;
    let n_prisons = places.n_prisons;
    let tehran_prison = places.tehran_prison;
    let mut workshops = Batch::new(
        "workshops",
        &[
            "public_code",
            "prison_id",
            "kind",
            "name_fa",
            "name_en",
            "capacity",
            "equipment",
            "shifts",
            "status",
            "created_at",
        ],
    );
    let mut workshop_prison = Vec::with_capacity(sizes.workshops);
    for i in 0..sizes.workshops {
        let prison = if i % 4 == 0 {
            tehran_prison
        } else {
            g.rng.gen_range(1..=n_prisons as i64)
        };
        workshop_prison.push(prison);
        let (kind, fa, en) = WORKSHOP_KINDS[g.rng.gen_range(0..WORKSHOP_KINDS.len())];
        workshops.push(vec![
            s(&g.code("W")),
            Value::from(prison),
            s(kind),
            s(fa),
            s(en),
            Value::from(g.rng.gen_range(10..120i32)),
            s("[]"),
            s(g.pick_str(&["morning", "morning+afternoon"])),
            s("open"),
            Value::from(now),
        ]);
        flush_full(txn, &mut [&mut workshops]).await?;
    }
    finish(txn, &mut [&mut workshops], rows).await?;
    Ok(workshop_prison)
}

/// Contracts in every state, on random workshops.
async fn contracts(w: &mut Seeding) -> anyhow::Result<([&'static str; 8], Vec<i64>)> {
    let g = &mut w.g;
    let txn = &w.txn;
    let rows = &mut w.rows;
    let sizes = w.sizes;
    let now = w.now;
    let mut contracts = Batch::new(
        "contracts",
        &[
            "public_code",
            "entrepreneur_id",
            "workshop_id",
            "product",
            "quantity",
            "unit_price_rials",
            "wage_model",
            "wage_rate_rials",
            "headcount",
            "required_skills",
            "required_certificates",
            "starts_on",
            "ends_on",
            "materials_supplied",
            "status",
            "status_reason",
            "version",
            "created_at",
            "updated_at",
        ],
    );
    let contract_states = [
        "proposed",
        "officer_approved",
        "active",
        "active",
        "suspended",
        "completed",
        "terminated",
        "rejected",
    ];
    let mut contract_workshop = Vec::with_capacity(sizes.contracts);
    for i in 0..sizes.contracts {
        let ent = if i < 3 {
            1
        } else {
            g.rng.gen_range(1..=sizes.entrepreneurs as i64)
        };
        let start = g.today - Duration::days(g.rng.gen_range(0..200));
        let piece = g.rng.gen_bool(0.5);
        let code = g.code("K");
        let workshop = g.rng.gen_range(1..=sizes.workshops as i64);
        contract_workshop.push(workshop);
        contracts.push(vec![
            s(&code),
            Value::from(ent),
            Value::from(workshop),
            s(g.pick_str(&[
                "پیراهن کار",
                "میز تحریر",
                "بستهٔ خشکبار",
                "کیف چرمی",
                "تابلو فرش",
            ])),
            Value::from(g.rng.gen_range(100..5000i64)),
            Value::from(g.rng.gen_range(50..500i64) * 10_000),
            s(if piece { "piece" } else { "hourly" }),
            Value::from(if piece {
                g.rng.gen_range(5..30i64) * 10_000
            } else {
                g.rng.gen_range(60..120i64) * 10_000
            }),
            Value::from(g.rng.gen_range(2..30i32)),
            s(&format!("[\"{}\"]", g.pick(SKILLS))),
            s("[]"),
            Value::from(start),
            Value::from(start + Duration::days(180)),
            Value::from(g.rng.gen_bool(0.7)),
            s(contract_states[i % contract_states.len()]),
            null_str(),
            Value::from(1i32),
            Value::from(now),
            Value::from(now),
        ]);
        flush_full(txn, &mut [&mut contracts]).await?;
    }
    finish(txn, &mut [&mut contracts], rows).await?;
    Ok((contract_states, contract_workshop))
}

/// Workers on the contracts that run or ran, and the default wage rule.
async fn workers(
    w: &mut Seeding,
    employment: &Employment,
    prisoners: &Prisoners,
    prison_officer: i64,
) -> anyhow::Result<()> {
    let g = &mut w.g;
    let txn = &w.txn;
    let rows = &mut w.rows;
    let now = w.now;
    let contract_states = &employment.contract_states;
    let contract_workshop = &employment.contract_workshop;
    let fit_to_work = &prisoners.fit_to_work;
    let workshop_prison = &employment.workshop_prison;
    // Workers on the contracts that run or ran, so "prisoners employed" on the home page agrees
    // with the active contracts it sits beside: up to three consenting prisoners of the workshop's
    // prison each, one running contract per prisoner (as `assign` allows). Taken from the end of
    // each prison's list, so the first prisoners stay free for a new contract to hire.
    let mut assignments = Batch::new(
        "worker_assignments",
        &[
            "contract_id",
            "prisoner_id",
            "worker_code",
            "status",
            "consent_at",
            "assigned_by",
            "rating",
            "created_at",
            "ended_at",
        ],
    );
    let mut working = std::collections::HashSet::new();
    for (i, workshop) in contract_workshop.iter().enumerate() {
        let running = match contract_states[i % contract_states.len()] {
            "active" | "suspended" => true,
            "completed" | "terminated" => false,
            _ => continue,
        };
        let prison = workshop_prison[(*workshop - 1) as usize];
        let Some(pool) = fit_to_work.get(&prison) else {
            continue;
        };
        let hired: Vec<i64> = pool
            .iter()
            .rev()
            .filter(|p| !running || !working.contains(*p))
            .take(3)
            .copied()
            .collect();
        for p in hired {
            if running {
                working.insert(p);
            }
            let since = g.days_ago(150);
            assignments.push(vec![
                Value::from(i as i64 + 1),
                Value::from(p),
                s(&g.code("WK")),
                s(if running { "active" } else { "ended" }),
                Value::from(since),
                Value::from(prison_officer),
                if running {
                    Value::Int(None)
                } else {
                    Value::from(g.rng.gen_range(3..=5i32))
                },
                Value::from(since),
                if running {
                    null_time()
                } else {
                    Value::from(now)
                },
            ]);
            flush_full(txn, &mut [&mut assignments]).await?;
        }
    }
    finish(txn, &mut [&mut assignments], rows).await?;

    let mut rules = Batch::new(
        "wage_rules",
        &[
            "name",
            "family_share_bp",
            "release_share_bp",
            "restitution_bp",
            "savings_bp",
            "cap_bp",
            "min_hourly_rials",
            "min_piece_rials",
            "effective_from",
            "created_at",
        ],
    );
    rules.push(vec![
        s("default"),
        Value::from(3000i32),
        Value::from(2000i32),
        Value::from(1000i32),
        Value::from(1000i32),
        Value::from(8000i32),
        Value::from(600_000i64),
        Value::from(50_000i64),
        Value::from(NaiveDate::from_ymd_opt(2025, 3, 21).unwrap()),
        Value::from(now),
    ]);
    finish(txn, &mut [&mut rules], rows).await?;
    Ok(())
}

/// What every part of the seed writes with: the generator, the one transaction, the report.
struct Seeding {
    g: Gen,
    txn: sea_orm::DatabaseTransaction,
    rows: Vec<(&'static str, u64)>,
    sizes: Sizes,
    now: DateTime<Utc>,
    scale: Scale,
    key_id: Value,
    /// The seed the generator started from (some generated text carries it).
    seed: u64,
}

struct Places {
    /// The province of each prison (prison ids are 1…n in order).
    prison_province: Vec<i64>,
    n_prisons: usize,
    tehran: i64,
    tehran_prison: i64,
}

struct People {
    users: Batch,
    scopes: Batch,
    role_user: std::collections::HashMap<Role, i64>,
    social_worker: i64,
    prison_officer: i64,
    manager: i64,
    donor_user: i64,
}

struct Families {
    family_province: Vec<i64>,
    family_prison: Vec<i64>,
    family_size: Vec<i32>,
    family_consents: Vec<bool>,
}

struct Prisoners {
    prisoner_prison: Vec<i64>,
    prisoner_consents: Vec<bool>,
    /// Prisoners who consented to work, by prison.
    fit_to_work: std::collections::HashMap<i64, Vec<i64>>,
}

/// The system accounts' batch (needs and campaigns add their funds to it) and their ids.
struct Ledger {
    accounts: Batch,
    ids: LedgerIds,
}

struct LedgerIds {
    gateway_account: i64,
    bank_account: i64,
    category_fund: std::collections::HashMap<&'static str, i64>,
}

struct NeedInfo {
    account: i64,
    goal: i64,
    status: &'static str,
    published: DateTime<Utc>,
    category: &'static str,
}

/// A campaign the seed funds: its fund account, what it must raise, how far along its life it
/// is, when it was published.
type CampaignInfo = (i64, i64, usize, DateTime<Utc>);

struct Gifts {
    donations: Batch,
    txns: Batch,
    entries: Batch,
    raised_by_account: std::collections::HashMap<i64, i64>,
}

struct Employment {
    contract_states: [&'static str; 8],
    contract_workshop: Vec<i64>,
    workshop_prison: Vec<i64>,
}

/// A national company id with a valid check digit from ten leading digits.
fn company_id(first10: i64) -> String {
    let head = format!("{first10:010}");
    let digits: Vec<u32> = head.chars().filter_map(|c| c.to_digit(10)).collect();
    format!("{head}{}", app::validation::company_id_check_digit(&digits))
}

fn prisoner_prison_province(prison_province: &[i64], prisoner_prison: &[i64], p: usize) -> i64 {
    prison_province[(prisoner_prison[p] - 1) as usize]
}

/// PostgreSQL sequences do not see explicit ids: move each past the largest one.
async fn reset_sequences<C: ConnectionTrait>(
    db: &C,
    rows: &[(&'static str, u64)],
) -> Result<(), DbErr> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    for (table, _) in rows {
        db.execute_unprepared(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
        ))
        .await?;
    }
    Ok(())
}

/// One balanced ledger group of two entries: `amount` debited to `debit`, credited to `credit`
/// (`(code, kind, memo)`, `(donation_id, created_by)`). Returns the transaction's id.
fn post_pair(
    txns: &mut Batch,
    entries: &mut Batch,
    (code, kind, memo): (&str, &str, &str),
    (donation, by): (Value, Value),
    (debit, credit, amount): (i64, i64, i64),
    at: DateTime<Utc>,
) -> i64 {
    let tid = txns.push(vec![
        s(code),
        s(kind),
        s(memo),
        donation,
        by,
        Value::from(at),
    ]);
    for (account, signed) in [(debit, amount), (credit, -amount)] {
        entries.push(vec![
            Value::from(tid),
            Value::from(account),
            Value::from(signed),
            Value::from(at),
        ]);
    }
    tid
}

/// The first index from `i` on (wrapping) whose person consents: the draw stays where it was, so
/// the rest of the generated data does not move.
fn next_consenting(consents: &[bool], i: usize) -> usize {
    (0..consents.len())
        .map(|k| (i + k) % consents.len())
        .find(|&k| consents[k])
        .unwrap_or(i)
}

/// A gift the seed will write: to a need (its index) or a campaign (its index) or neither (a
/// fund), its amount in rials, and the moment it may be given from.
type PlannedGift = (Option<usize>, Option<usize>, i64, DateTime<Utc>);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_add_up_exactly() {
        let mut rng = StdRng::seed_from_u64(1);
        for total in [10_000i64, 250_000_000, 3_000_000_000, 123_450_000] {
            for parts in [1, 2, 7, 40] {
                let s = split_amount(&mut rng, total, parts);
                assert_eq!(s.iter().sum::<i64>(), total);
                assert!(s.iter().all(|a| *a > 0 && a % 10_000 == 0));
            }
        }
    }

    #[test]
    fn generated_national_codes_validate() {
        let mut g = Gen {
            rng: StdRng::seed_from_u64(7),
            sealer: Sealer::dev(),
            now: Utc::now(),
            today: Utc::now().date_naive(),
        };
        for _ in 0..500 {
            let nc = g.national_code();
            assert_eq!(app::validation::national_code(&nc), Ok(nc.clone()));
            assert!(app::validation::mobile(&g.mobile()).is_ok());
        }
    }
}
