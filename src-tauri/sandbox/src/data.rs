//! Word lists the generated world is drawn from. Names come in cultures so a first and a last
//! name usually belong together; each carries an ASCII slug for e-mail addresses, because
//! real address books are full of "zoe.muller@" for "Zoë Müller".

/// (display, ascii slug)
pub type Word = (&'static str, &'static str);

pub struct Culture {
    pub first: &'static [Word],
    pub last: &'static [Word],
    /// Phone number pattern; each '#' becomes a random digit.
    pub phone: &'static str,
    pub timezone: &'static str,
}

pub const CULTURES: &[Culture] = &[
    Culture {
        first: &[
            ("Emma", "emma"),
            ("Oliver", "oliver"),
            ("Amelia", "amelia"),
            ("Jack", "jack"),
            ("Sam", "sam"),
            ("Charlotte", "charlotte"),
            ("Harry", "harry"),
            ("Grace", "grace"),
        ],
        last: &[
            ("Smith", "smith"),
            ("Taylor", "taylor"),
            ("Brown", "brown"),
            ("Wilson", "wilson"),
            ("Evans", "evans"),
            ("Clarke", "clarke"),
        ],
        phone: "+44 20 7946 ####",
        timezone: "Europe/London",
    },
    Culture {
        first: &[
            ("Jürgen", "juergen"),
            ("Anja", "anja"),
            ("Lukas", "lukas"),
            ("Mia", "mia"),
            ("Jörg", "joerg"),
            ("Lena", "lena"),
        ],
        last: &[
            ("Müller", "mueller"),
            ("Schäfer", "schaefer"),
            ("Weiß", "weiss"),
            ("Becker", "becker"),
            ("Groß", "gross"),
            ("Hoffmann", "hoffmann"),
        ],
        phone: "+49 30 #### ####",
        timezone: "Europe/Berlin",
    },
    Culture {
        first: &[
            ("Søren", "soren"),
            ("Astrid", "astrid"),
            ("Bjørn", "bjorn"),
            ("Ingrid", "ingrid"),
            ("Åsa", "asa"),
            ("Mads", "mads"),
        ],
        last: &[
            ("Jørgensen", "jorgensen"),
            ("Lindqvist", "lindqvist"),
            ("Håkansson", "hakansson"),
            ("Nielsen", "nielsen"),
            ("Østergaard", "ostergaard"),
        ],
        phone: "+45 ## ## ## ##",
        timezone: "Europe/Copenhagen",
    },
    Culture {
        first: &[
            ("Łukasz", "lukasz"),
            ("Zofia", "zofia"),
            ("Wojciech", "wojciech"),
            ("Małgorzata", "malgorzata"),
            ("Piotr", "piotr"),
            ("Agnieszka", "agnieszka"),
        ],
        last: &[
            ("Wiśniewski", "wisniewski"),
            ("Kowalczyk", "kowalczyk"),
            ("Wójcik", "wojcik"),
            ("Zieliński", "zielinski"),
            ("Nowak", "nowak"),
        ],
        phone: "+48 ### ### ###",
        timezone: "Europe/Warsaw",
    },
    Culture {
        first: &[("Minh", "minh"), ("Lan", "lan"), ("Thảo", "thao"), ("Dũng", "dung"), ("Hương", "huong")],
        last: &[("Nguyễn", "nguyen"), ("Trần", "tran"), ("Lê", "le"), ("Phạm", "pham"), ("Võ", "vo")],
        phone: "+84 28 #### ####",
        timezone: "Asia/Ho_Chi_Minh",
    },
    Culture {
        first: &[("太郎", "taro"), ("花子", "hanako"), ("健", "ken"), ("美咲", "misaki"), ("翔", "sho")],
        last: &[("田中", "tanaka"), ("佐藤", "sato"), ("鈴木", "suzuki"), ("高橋", "takahashi"), ("渡辺", "watanabe")],
        phone: "+81 3-####-####",
        timezone: "Asia/Tokyo",
    },
    Culture {
        first: &[
            ("Ólafur", "olafur"),
            ("Guðrún", "gudrun"),
            ("Þóra", "thora"),
            ("Ragnar", "ragnar"),
            ("Sigríður", "sigridur"),
        ],
        last: &[
            ("Sigurðsson", "sigurdsson"),
            ("Jónsdóttir", "jonsdottir"),
            ("Þórsson", "thorsson"),
            ("Magnúsdóttir", "magnusdottir"),
        ],
        phone: "+354 ### ####",
        timezone: "Atlantic/Reykjavik",
    },
    Culture {
        first: &[("Siobhán", "siobhan"), ("Conor", "conor"), ("Aoife", "aoife"), ("Seán", "sean"), ("Niamh", "niamh")],
        last: &[
            ("O'Brien", "obrien"),
            ("Ó Súilleabháin", "osullivan"),
            ("Murphy", "murphy"),
            ("O'Connor", "oconnor"),
            ("Mac Giolla", "macgiolla"),
        ],
        phone: "+353 1 ### ####",
        timezone: "Europe/Dublin",
    },
    Culture {
        first: &[
            ("Anaïs", "anais"),
            ("Zoë", "zoe"),
            ("Hélène", "helene"),
            ("François", "francois"),
            ("Jérôme", "jerome"),
            ("Maël", "mael"),
        ],
        last: &[
            ("Lefèvre", "lefevre"),
            ("Dupont", "dupont"),
            ("Garçon", "garcon"),
            ("Moreau", "moreau"),
            ("de la Fontaine", "delafontaine"),
        ],
        phone: "+33 1 ## ## ## ##",
        timezone: "Europe/Paris",
    },
    Culture {
        first: &[("محمد", "mohammed"), ("فاطمة", "fatima"), ("Omar", "omar"), ("Layla", "layla"), ("Yousef", "yousef")],
        last: &[("الهاشمي", "alhashimi"), ("Haddad", "haddad"), ("Al-Farsi", "alfarsi"), ("Nasser", "nasser")],
        phone: "+971 4 ### ####",
        timezone: "Asia/Dubai",
    },
    Culture {
        first: &[("José", "jose"), ("María", "maria"), ("João", "joao"), ("Inês", "ines"), ("Sebastián", "sebastian")],
        last: &[
            ("García", "garcia"),
            ("Peña", "pena"),
            ("Gonçalves", "goncalves"),
            ("Rodríguez", "rodriguez"),
            ("Muñoz", "munoz"),
        ],
        phone: "+55 11 #####-####",
        timezone: "America/Sao_Paulo",
    },
    Culture {
        first: &[("Priya", "priya"), ("Arjun", "arjun"), ("Aditi", "aditi"), ("Rahul", "rahul"), ("Ananya", "ananya")],
        last: &[("Sharma", "sharma"), ("Iyer", "iyer"), ("Reddy", "reddy"), ("Venkataraman", "venkataraman")],
        phone: "+91 80 #### ####",
        timezone: "Asia/Kolkata",
    },
    Culture {
        first: &[("Wei", "wei"), ("Xiu Ying", "xiuying"), ("Jun", "jun"), ("美玲", "meiling")],
        last: &[("王", "wang"), ("Li", "li"), ("张", "zhang"), ("Chen", "chen")],
        phone: "+86 10 #### ####",
        timezone: "Asia/Shanghai",
    },
    Culture {
        first: &[("Chiamaka", "chiamaka"), ("Oluwaseun", "oluwaseun"), ("Ngozi", "ngozi"), ("Emeka", "emeka")],
        last: &[("Okonkwo", "okonkwo"), ("Adebayo", "adebayo"), ("Nwosu", "nwosu"), ("Balogun", "balogun")],
        phone: "+234 1 ### ####",
        timezone: "Africa/Lagos",
    },
    Culture {
        first: &[("Ana", "ana"), ("Jamal", "jamal"), ("Tyler", "tyler"), ("Keisha", "keisha"), ("Dakota", "dakota")],
        last: &[
            ("Johnson", "johnson"),
            ("Washington", "washington"),
            ("Nguyen-Smith", "nguyensmith"),
            ("Jean-Baptiste", "jeanbaptiste"),
        ],
        phone: "+1 (555) 01##-####",
        timezone: "America/New_York",
    },
];

/// Names the UI must escape, not render.
pub const HTML_NAMES: &[(Word, Word)] = &[
    (("<b>Sam</b>", "sam.bold"), ("<script>x</script>", "script")),
    (("Robert'); DROP TABLE talents;--", "bobby"), ("Tables", "tables")),
    (("<img src=x onerror=alert(1)>", "img"), ("Onerror", "onerror")),
    (("Ada &amp; Co", "ada.amp"), ("\"Quoted\" Lovelace", "quoted")),
];

/// Display names recruiters often use instead of the legal first name (Greenhouse `preferred_name`).
pub const PREFERRED: &[&str] = &["Sam", "Alex", "Kim", "Jo", "Max", "Lou"];

pub const COMPANIES: &[&str] = &[
    "Northwind Traders",
    "Contoso",
    "Globex",
    "Initech",
    "Umbrella Labs",
    "Hooli",
    "Pied Piper",
    "Vandelay Industries",
    "Massive Dynamic",
    "Aperture Science",
    "Wonka Industries",
    "Dunder Mifflin",
    "Müller & Söhne GmbH",
    "株式会社サンプル",
    "Łódź Software",
    "Société Générale de Test",
    "Blue Sky Ltd.",
    "Fjord Analytics AB",
    "Café Ñandú S.A.",
    "Acme Corp",
    "Tyrell Corporation",
    "Soylent Co",
];

pub const TITLES: &[&str] = &[
    "Software Engineer",
    "Senior Backend Engineer",
    "Staff Engineer",
    "Frontend Developer",
    "Data Scientist",
    "Product Manager",
    "Product Designer",
    "UX Researcher",
    "Account Executive",
    "Sales Development Rep",
    "Customer Success Manager",
    "Recruiter",
    "People Partner",
    "Financial Analyst",
    "DevOps Engineer",
    "Engineering Manager",
    "Head of Marketing",
    "Technical Writer",
    "QA Engineer",
    "Chief of Staff",
];

pub const TAGS: &[&str] = &[
    "referral",
    "silver medalist",
    "relocation",
    "remote",
    "top talent",
    "rehire",
    "visa sponsorship",
    "internal",
    "do not contact",
    "conference",
    "bootcamp",
    "open source",
];

pub const PERSONAL_DOMAINS: &[&str] = &["example.com", "example.org", "example.net", "mail.example", "inbox.example"];

pub const DEPARTMENTS: &[&str] =
    &["Engineering", "Product", "Design", "Sales", "Marketing", "Customer Success", "People", "Finance & Legal"];

pub const OFFICES: &[&str] =
    &["London", "Berlin", "New York", "São Paulo", "Tokyo", "Remote — Europe", "Toronto", "Kraków"];

/// Job titles by department (same order as `DEPARTMENTS`).
pub const JOB_TITLES: &[&[&str]] = &[
    &[
        "Senior Backend Engineer",
        "Frontend Engineer",
        "Site Reliability Engineer",
        "Engineering Manager",
        "Data Engineer",
        "iOS Engineer",
    ],
    &["Product Manager", "Senior Product Manager, Growth", "Product Analyst"],
    &["Product Designer", "UX Researcher", "Brand Designer"],
    &["Account Executive", "Sales Development Representative", "Sales Engineer"],
    &["Content Marketing Manager", "Performance Marketer", "Developer Advocate"],
    &["Customer Success Manager", "Support Engineer", "Implementation Consultant"],
    &["Technical Recruiter", "People Partner"],
    &["Financial Analyst", "Legal Counsel (Commercial)", "Controller"],
];

pub const USERS: &[(&str, &str)] = &[
    ("Rita", "Recruiter"),
    ("Harold", "Hiring"),
    ("Carla", "Coordinator"),
    ("Sunil", "Sourcer"),
    ("Ines", "Interviewer"),
    ("Mateo", "Manager"),
    ("Greta", "Admin"),
    ("Owen", "Offboarded"),
];

pub const GREENHOUSE_REJECTION_REASONS: &[(&str, &str)] = &[
    ("Lacking skill(s)/qualification(s)", "We rejected them"),
    ("Hired another candidate", "We rejected them"),
    ("Culture add concerns", "We rejected them"),
    ("Position filled", "None specified"),
    ("Took another offer", "They rejected us"),
    ("Compensation", "They rejected us"),
    ("Withdrew", "They rejected us"),
];

/// Lever archive reasons: (text, type). Two reasons are of type "hired", so a connector that
/// looks for the text "Hired" instead of the type gets some hires wrong.
pub const LEVER_ARCHIVE_REASONS: &[(&str, &str)] = &[
    ("Hired", "hired"),
    ("Underqualified", "non-hired"),
    ("Withdrew", "non-hired"),
    ("Position filled", "non-hired"),
    ("Timing", "non-hired"),
    ("Offer declined", "non-hired"),
    ("Internal transfer", "hired"),
];

pub const ASHBY_ARCHIVE_REASONS: &[(&str, &str)] = &[
    ("Not a fit", "RejectedByOrg"),
    ("Lacks experience", "RejectedByOrg"),
    ("Position filled", "RejectedByOrg"),
    ("Accepted another offer", "RejectedByCandidate"),
    ("Not interested", "RejectedByCandidate"),
    ("Duplicate", "Other"),
];

/// Greenhouse: every job's pipeline starts and ends with these; the middle is drawn from `MIDDLE_STAGES`.
pub const MIDDLE_STAGES: &[&str] = &[
    "Recruiter Screen",
    "Hiring Manager Interview",
    "Technical Interview",
    "Take Home Test",
    "Portfolio Review",
    "Onsite",
    "Reference Check",
    "Executive Interview",
];

/// Lever's account-wide pipeline. "New lead", "New applicant" and "Offer" exist in every account.
pub const LEVER_STAGES: &[&str] = &[
    "New lead",
    "Reached out",
    "Responded",
    "New applicant",
    "Recruiter screen",
    "Phone interview",
    "On-site interview",
    "Reference check",
    "Offer",
];
/// Index in `LEVER_STAGES` of the first stage an applicant (rather than a sourced lead) enters.
pub const LEVER_FIRST_APPLICANT_STAGE: usize = 3;
