"""Word tables for the demo caseload (demo.py): names, places, employers, note and goal phrases.

Everything here is invented. Names are common given and family names of the communities of
Islington, written as their owners would write them (accents kept; a few in their own script).
A given name written "Дмитрий|Dima" carries the name the person likes to be called; a family name
written "Kowalski/Kowalska" has a masculine and a feminine form."""

from __future__ import annotations

# (weight, feminine given names, masculine given names, family names, Latin script?)
Origin = tuple[float, tuple[str, ...], tuple[str, ...], tuple[str, ...], bool]


def _w(text: str) -> tuple[str, ...]:
    return tuple(text.split(","))


ORIGINS: tuple[Origin, ...] = (
    (
        30,
        _w(
            "Emma,Sarah,Claire,Rebecca,Charlotte,Zoë,Hannah,Louise,Gemma,Katherine|Kate,Elizabeth|Liz,"
            "Jessica|Jess,Rachel,Amy,Lucy,Joanne|Jo,Michelle,Donna,Tracey,Susan|Sue,Margaret|Maggie,Chloë"
        ),
        _w(
            "James,Thomas|Tom,Daniel|Dan,Matthew|Matt,Christopher|Chris,Michael|Mike,Paul,Mark,Stephen|Steve,"
            "Gary,Lee,Craig,Jamie,Robert|Rob,William|Will,Anthony|Tony,Darren,Kevin,Richard,Stuart"
        ),
        _w(
            "Smith,Jones,Taylor,Brown,Williams,Wilson,Johnson,Davies,Robinson,Wright,Thompson,Evans,Walker,"
            "White,Roberts,Green,Hall,Wood,Clarke,Hughes,Edwards,Turner,Cooper,Hill,Ward,Morris,Baker,Harris,"
            "Parker,Bennett,Shaw,Price,Ellis,Marshall,Mitchell,Fletcher,Barnes,Lloyd"
        ),
        True,
    ),
    (
        7,
        _w("Siobhán,Aoife,Niamh,Orla,Caoimhe|Keeva,Róisín,Mairéad,Gráinne,Bríd,Sinéad,Clodagh,Deirdre"),
        _w("Seán,Ciarán,Pádraig|Paddy,Eoin,Cathal,Dónal,Declan,Colm,Liam,Éamon,Tadhg,Fionn"),
        _w(
            "O'Brien,Murphy,Kelly,O'Sullivan,Walsh,Byrne,Ryan,O'Connor,McCarthy,Doyle,Gallagher,Ó Ceallaigh,"
            "Kavanagh,Quinn,Brennan,Fitzgerald,Ó Súilleabháin"
        ),
        True,
    ),
    (
        9,
        _w("Priya,Anjali,Sunita,Fatima,Ayesha,Nusrat,Harpreet,Simran,Rukhsana,Shabana,Meera,Parveen,Kiran,Saira"),
        _w("Mohammed|Mo,Imran,Arjun,Rajesh|Raj,Sanjay,Gurpreet,Harjit,Tariq,Asif,Vikram|Vik,Amir,Zubair,Kamran,Sunil"),
        _w(
            "Patel,Khan,Shah,Singh,Ahmed,Hussain,Iqbal,Malik,Sharma,Kaur,Gill,Chaudhry,Mistry,Desai,Akhtar,"
            "Bashir,Qureshi,Joshi,Sandhu"
        ),
        True,
    ),
    (
        7,
        _w("Shirin,Nazma,Rumana,Taslima,Shamima,Farzana,Jahanara,Nasreen,Sumaiya,Lipi"),
        _w("Abdul,Mizanur,Shahid,Rafiq,Jamal,Saiful,Anwar,Kamal,Rashid,Habibur"),
        _w("Miah/Begum,Uddin,Ali,Rahman,Islam,Hossain,Chowdhury,Ahmed,Sarker,Bhuiyan"),
        True,
    ),
    (
        9,
        _w(
            "Amina,Chiamaka|Chi,Ngozi,Adaeze|Ada,Folake,Oluwakemi|Kemi,Abena,Akosua,Efua,Yetunde|Yetty,"
            "Funmilayo|Funmi,Ifeoma,Aminata,Fatoumata"
        ),
        _w(
            "Oluwaseun|Seun,Chinedu|Chi,Emeka,Kwame,Kofi,Babatunde|Tunde,Adebayo|Bayo,Obinna,Yaw,Ikechukwu|Ike,"
            "Olumide,Mamadou,Ousmane"
        ),
        _w(
            "Okafor,Adeyemi,Mensah,Okonkwo,Boateng,Adebayo,Owusu,Nwosu,Asante,Oyelaran,Eze,Ogunleye,Diallo,"
            "Bangura,Sesay,Kamara,Appiah,Adékúnlé"
        ),
        True,
    ),
    (
        6,
        _w("Marcia,Beverley,Paulette,Shanice,Keisha,Jasmine,Monique,Althea,Sonia,Janelle"),
        _w("Delroy,Winston,Leroy,Jermaine,Marlon,Tyrone,Clive,Errol,Devon,André"),
        _w("Campbell,Brown,Williams,Francis,Thomas,Grant,Samuels,Henry,Clarke,Bailey,Gordon,Reid,Morgan,Lewis"),
        True,
    ),
    (
        5,
        _w("Ayşe,Elif,Zeynep,Gülşen,Şükran,Fatma,Hülya,Özlem,Emine,Derya,Büşra,Çiğdem"),
        _w("Şükrü,Mehmet,Mustafa,Ahmet,Hüseyin,İbrahim,Emre,Oğuz,Çağlar,Yusuf,Murat,Ömer"),
        _w("Yılmaz,Kaya,Demir,Şahin,Çelik,Öztürk,Aydın,Arslan,Doğan,Kılıç,Aslan,Koç,Güneş,Yıldız"),
        True,
    ),
    (
        2,
        _w("Berfin,Rojda,Dilan,Hêvî,Zîlan,Nûjîn,Şîrîn,Gulistan"),
        _w("Azad,Rêber,Şivan,Baran,Dilşad,Serhat,Welat,Zana"),
        _w("Tekin,Polat,Ekinci,Özdemir,Akgül,Amedî,Botan,Hawramî,Baran"),
        True,
    ),
    (
        4,
        _w("Hodan,Amran,Faadumo,Ifrah,Sahra,Ayaan,Nimco,Hibaaq,Ubah,Khadra"),
        _w("Abdirahman|Abdi,Mohamed|Mo,Abdullahi,Liban,Mahad,Hassan,Yusuf,Said,Abdikarim,Guled"),
        _w("Ali,Hassan,Warsame,Farah,Abdi,Jama,Osman,Mohamud,Nur,Hersi,Egal,Duale"),
        True,
    ),
    (
        4,
        _w(
            "Agnieszka|Aga,Małgorzata|Gosia,Katarzyna|Kasia,Joanna|Asia,Magdalena|Magda,Ewa,Żaneta,Dorota,"
            "Aleksandra|Ola,Beata"
        ),
        _w("Łukasz,Paweł,Krzysztof,Grzegorz|Greg,Wojciech|Wojtek,Piotr,Tomasz|Tomek,Michał,Jędrzej,Marek"),
        _w(
            "Kowalski/Kowalska,Nowak,Wiśniewski/Wiśniewska,Wójcik,Kamiński/Kamińska,Lewandowski/Lewandowska,"
            "Zieliński/Zielińska,Woźniak,Dąbrowski/Dąbrowska,Mazur,Krawczyk,Grabowski/Grabowska"
        ),
        True,
    ),
    (
        3,
        _w("Ana,Maria João,Inês,Conceição,Fátima,Joana,Beatriz,Lúcia,Graça"),
        _w("José,João,António,Luís,Rui,Gonçalo,Tiago,Sérgio,André,Nuno"),
        _w("Silva,Santos,Ferreira,Pereira,Gonçalves,Rodrigues,Simões,Gomes,Lopes,Magalhães,Araújo"),
        True,
    ),
    (
        2,
        _w("Eleni,Maria,Katerina,Dimitra,Sofia,Georgia,Despina,Anastasia|Natasha,Chrysoula,Vasiliki|Vicky"),
        _w("Georgios|George,Dimitris|Jim,Nikos,Konstantinos|Kostas,Yiannis|John,Christos,Andreas,Stavros,Michalis"),
        _w(
            "Papadopoulos/Papadopoulou,Georgiou,Constantinou,Christodoulou,Nikolaou,Ioannou,Antoniou,"
            "Charalambous,Demetriou,Kyriacou,Stylianou"
        ),
        True,
    ),
    (
        2,
        _w("Mei,Xiaoling|Lily,Hui,Jing,Yan,Ying|Grace,Li Na,Wai Man|Mandy,Siu Ling"),
        _w("Wei,Jun,Hao,Ming,Kwok Wai|Kevin,Chi Keung|Eric,Zhiwei,Jian,Ka Ho"),
        _w("Wang,Li,Zhang,Chen,Liu,Wong,Chan,Lam,Cheung,Ng,Ho,Leung,Huang,Lin,Zhou"),
        True,
    ),
    (
        1.5,
        _w("Lan,Hương,Thủy,Ngọc Anh,Hồng,Mai,Phương,Thảo,Linh,Trang"),
        _w("Minh,Tuấn,Hùng,Đức,Quang,Dũng,Thắng,Hoàng,Long,Việt"),
        _w("Nguyễn,Trần,Lê,Phạm,Hoàng,Huỳnh,Phan,Vũ,Võ,Đặng,Bùi,Đỗ"),
        True,
    ),
    (
        4,
        _w("Ioana,Andreea,Mihaela,Gergana,Rasa,Ieva,Jurgita,Alina,Daniela,Blerta,Ivana,Zuzana"),
        _w("Andrei,Ionuț,Mihai,Răzvan,Ştefan,Dragoș,Georgi,Mindaugas,Arben,Milan,Darius,Tomáš"),
        _w(
            "Popescu,Ionescu,Dumitrescu,Stoica,Petrov/Petrova,Ivanov/Ivanova,Kazlauskas/Kazlauskienė,"
            "Hoxha,Krasniqi,Novák/Nováková,Horváth,Kovačević,Jovanović"
        ),
        True,
    ),
    (
        1.5,
        _w("Chloé,Françoise,Guðrún,Sigríður|Sigga,Ingrid,Åsa,Hélène,Mónica,Lena"),
        _w("François,Jürgen,Søren,Björn,Jérôme,Andrés,Óscar,Matthias,Rodrigo"),
        _w(
            "Müller,Schäfer,Bauer,Ólafsson/Ólafsdóttir,Jónsson/Jónsdóttir,Lefèvre,Dubois,García,Fernández,"
            "Martínez,Pérez,Rossi,Esposito,Lindqvist,Øvergaard"
        ),
        True,
    ),
    (
        1,
        _w("Layla,Noor,Mariam,Rania,Yasmin,Hana"),
        _w("Omar,Karim,Yousef,Khalid,Samir,Hamza"),
        _w("Haddad,Al-Masri,Mansour,Saleh,Abboud,Nasser,El-Sayed"),
        True,
    ),
    # Names written in their own script (about 4% of participants together).
    (
        1.4,
        _w("Ольга,Наталья|Natasha,Екатерина|Katya,Анна,Ирина,Светлана|Sveta,Оксана,Юлія"),
        _w("Дмитрий|Dima,Сергей|Sergei,Алексей|Alex,Андрій,Иван,Николай|Kolya,Олег,Владимир|Vlad"),
        _w("Иванов/Иванова,Петренко,Смирнов/Смирнова,Кузнецов/Кузнецова,Шевченко,Коваленко,Попов/Попова,Бондаренко"),
        False,
    ),
    (
        0.6,
        _w("Ελένη,Μαρία,Κατερίνα,Σοφία,Δέσποινα"),
        _w("Γιώργος|George,Δημήτρης,Νίκος,Κώστας,Γιάννης"),
        _w("Παπαδόπουλος/Παπαδοπούλου,Γεωργίου,Νικολάου,Ιωάννου,Χριστοδούλου,Κωνσταντίνου"),
        False,
    ),
    (
        0.8,
        _w("美玲|Mei Ling,秀英,丽华|Lily,静,慧敏"),
        _w("伟,志强,建华,俊杰|Jack,浩然"),
        _w("王,李,张,陈,刘,黄"),
        False,
    ),
    (0.6, _w("নাজমা,রুমানা,শিরিন,ফারজানা"), _w("আব্দুল,রফিক,জামাল,কামাল"), _w("রহমান,চৌধুরী,ইসলাম,আহমেদ,হোসেন"), False),
    (
        0.6,
        _w("فاطمة,مريم,ليلى,نور"),
        _w("محمد|Mohammed,أحمد|Ahmed,عمر|Omar,يوسف"),
        _w("حسن,علي,إبراهيم,منصور,صالح"),
        False,
    ),
)

# Islington postcode districts with rough weights; inward codes skip the letters CIKMOV.
POSTCODE_DISTRICTS = (("N1", 30), ("N7", 20), ("N19", 12), ("N4", 12), ("N5", 12), ("EC1V", 9), ("EC1R", 5))
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

PLACES = _w(
    "Angel,Holloway Road,Archway,Highbury,Canonbury,Barnsbury,Caledonian Road,Upper Street,Essex Road,"
    "Finsbury Park,Tufnell Park,Pentonville,Clerkenwell,Old Street,Hornsey Road,Seven Sisters Road,"
    "Blackstock Road,Junction Road,Liverpool Road,Newington Green,Copenhagen Street,Nag's Head,"
    "Highbury Corner,Amwell Street,Whittington,Mildmay,St Peter's"
)
BUSINESSES = _w(
    "Community Café,Pharmacy,Bakery,Home Care,Cleaning Co-operative,Hardware,Launderette,"
    "Dental Practice,Leisure Centre,Garden Centre,Books,Print Works,Deli,Florist,Hotel,Food Store,"
    "Car Wash,Day Nursery,Motors,Builders' Merchants,Lettings,Fish Bar,Veterinary Surgery,Opticians,"
    "Kitchen,Cycles,Removals,Care Home,Library Café,Framers,Tyres & Exhaust,Community Centre"
)
OTHER_EMPLOYERS = _w(
    "Brightside Home Care,Green Fork Catering,Hartley & Sons Removals,Northway Security Services,"
    "City Fringe Cleaning Ltd,Parkside Residential Care,Two Rivers Housing Association,"
    "Meridian Logistics,Fresh Leaf Salads,Crescent Hotels Group,Tenbury Facilities Management,"
    "Ashgrove Estate Agents,Northern Heights Nursery,Cobalt Print & Copy,Rowan Tree Play Centre,"
    "Harbour Office Supplies,Bluebell Domiciliary Care,Citywide Parcel Services"
)
PAST_EMPLOYERS = _w(
    "a care agency,a supermarket,a warehouse,a cleaning company,a hotel,a restaurant,a school,"
    "the council,a call centre,a building firm,a hospital,a charity shop,a hairdresser's,"
    "a nursery,a security firm,a bus company,a bank,an office,a family business,a clothes shop"
)
ROLES = _w(
    "Care assistant,Sales assistant,Warehouse operative,Cleaner,Kitchen porter,Chef,Teaching assistant,"
    "Receptionist,Security officer,Customer service adviser,Delivery driver,Labourer,Hairdresser,"
    "Nursery practitioner,Admin assistant,Bar staff,Bus driver,Cashier,Porter,Support worker,"
    "Bookkeeper,IT support technician,Painter and decorator,Housekeeper"
)
REASONS_LEFT = _w(
    "Ill health,Redundancy,End of contract,Moved area,Caring responsibilities,Dismissed,"
    "Stress at work,Business closed,Pregnancy,Injury at work,Temporary job ended,Resigned"
)
# (title, RQF level)
QUALIFICATIONS = (
    ("GCSE English", "2"),
    ("GCSE Maths", "2"),
    ("GCSEs (5 A*–C)", "2"),
    ("CSE", "1"),
    ("Functional Skills Maths", "1"),
    ("Functional Skills English", "1"),
    ("ESOL Entry 3", "entry"),
    ("ESOL Entry 2", "entry"),
    ("NVQ Level 2 Health and Social Care", "2"),
    ("NVQ Level 3 Health and Social Care", "3"),
    ("BTEC Business", "3"),
    ("A levels", "3"),
    ("Food Hygiene Certificate", "2"),
    ("City & Guilds Plumbing", "2"),
    ("SIA Door Supervisor", "2"),
    ("CSCS Health and Safety", "1"),
    ("Forklift licence", "none"),
    ("First Aid at Work", "none"),
    ("HND Computing", "5"),
    ("BA (Hons) History", "6"),
    ("BSc (Hons) Biology", "6"),
    ("Degree (gained abroad)", "6"),
    ("MSc Accounting", "7"),
    ("Access to Higher Education", "3"),
    ("Level 3 Teaching Assistant", "3"),
    ("AAT Bookkeeping", "2"),
    ("Certificate in Counselling", "3"),
)
SKILLS = _w(
    "Customer service,Cooking,Cleaning,Driving,Working with children,Caring for others,Computer skills,"
    "Microsoft Word,Excel,Handling cash,Stock control,Team work,Speaking Turkish,Speaking Bengali,"
    "Speaking Polish,Speaking Somali,Speaking Portuguese,Interpreting,DIY,Gardening,Sewing,"
    "Organising events,Time keeping,Telephone manner,Heavy lifting,Food preparation,Hairdressing,"
    "Bookkeeping,Social media,Listening,Problem solving,Painting and decorating,First aid"
)
JOB_TYPES = _w(
    "retail,care,admin,hospitality,warehouse,cleaning,security,driving,customer service,catering,"
    "IT,construction,childcare,gardening,teaching assistant,hairdressing,office reception,"
    "library work,animal care,bookkeeping,call centre,delivery"
)
INTERESTS = _w(
    "cooking,football,gardening,music,walking,photography,looking after the grandchildren,"
    "singing in a choir,fixing bikes,knitting,the food bank,drawing,swimming,reading,fishing,"
    "the allotment,volunteering at the mosque,church,dancing,chess,the gym,sewing,boxing,yoga"
)
BARRIERS = _w(
    "confidence,childcare,transport,gaps in work history,health fluctuates,English language,"
    "caring for a relative,housing,debt,no recent references,criminal record,digital skills,"
    "anxiety about interviews,fear of losing benefits,side effects of medication"
)
DNA_NOTES = _w(
    "Did not attend. Sent a text to rebook.,DNA. Left a voicemail.,Did not attend; letter sent.,"
    "No answer when I called; tried twice.,Did not attend. Will ask reception to remind."
)
CANCEL_NOTES = (
    "{name} rang to cancel: unwell.",
    "{name} cancelled: childcare fell through.",
    "{name} cancelled by text: a hospital appointment clashed.",
    "Cancelled: coach off sick.",
    "Cancelled by coach: no room free at the practice.",
    "{name} cancelled: job interview the same day.",
)

# Note sentences per session type: (openings, middles, closings). Placeholders: name, job, interest,
# employer, barrier, skill, n, hours.
_IA = (
    (
        "Initial assessment with {name}.",
        "First meeting with {name}, referred by the practice.",
        "Met {name} for the initial assessment; came on time and was keen to get started.",
        "Initial assessment. {name} arrived a little anxious but settled quickly.",
        "First appointment. Explained how the service works and that it is voluntary.",
    ),
    (
        "Talked through work history; most recent work was in {job}.",
        "{name} would like to work in {job}, ideally around {hours} hours a week.",
        "Enjoys {interest} and wants work that leaves time for it.",
        "Says confidence is low after a long time out of work.",
        "Main worry is {barrier}; agreed to look at this together.",
        "Good at {skill} and rated it highly on the inventory.",
        "Completed the skills inventory together.",
        "Discussed benefits and what happens to them when starting work; better-off calculation next time.",
        "Health is up and down but {name} feels ready to think about work.",
        "Has not applied for anything for a while and is unsure where to start.",
    ),
    (
        "Set first goals and printed the action plan.",
        "Agreed goals and steps; next appointment booked.",
        "Gave my contact details and booked a review.",
        "{name} will look for {job} vacancies before we next meet.",
    ),
)
_REVIEW = (
    (
        "Review with {name}.",
        "Progress review.",
        "{name} came in for a review; in good spirits today.",
        "Review. {name} said the last couple of weeks have been hard.",
        "Catch-up on goals and steps.",
    ),
    (
        "Has been doing more {interest}, which is helping mood.",
        "Looked again at the action plan; {n} steps done.",
        "Confidence seems better; talked more openly about going back to work.",
        "Still worried about {barrier}.",
        "Discussed {job} roles in the area and what hours would work.",
        "Talked about how to explain the gap in work history.",
        "Sleep has been poor; suggested raising it with the GP.",
        "Went through the better-off calculation again.",
        "{name} has signed up for a short course and is enjoying it.",
        "Practised a few interview questions; answers were clear and honest.",
    ),
    (
        "Updated the goals.",
        "Next review booked.",
        "Agreed to focus on applications next time.",
        "I will send {name} a couple of {job} vacancies.",
    ),
)
_JOB_SEARCH = (
    ("Job search session with {name}.", "Vacancy search together.", "Worked on applications today."),
    (
        "Updated the CV and added recent volunteering.",
        "Found {n} {job} vacancies and applied for one at {employer}.",
        "Wrote a cover letter for {employer}.",
        "Set up job alerts for {job} roles.",
        "Practised the online application form; needed help with the personality questions.",
        "Rang {employer} together about their vacancy.",
        "{name} wants to mention the health condition only after an offer; talked through the options.",
        "Looked at travel times; most roles are within {n}0 minutes by bus.",
        "Rated confidence at applying as {n} out of 5, up from last time.",
    ),
    (
        "{name} will finish one application at home.",
        "I will follow up with {employer} this week.",
        "Next session: interview practice.",
    ),
)
_IN_WORK = (
    ("In-work support with {name}.", "Check-in about the new job.", "In-work support before the shift."),
    (
        "Settling in well at {employer}; likes the team.",
        "Finding the early starts hard; talked about a later shift.",
        "Discussed a reasonable adjustment for breaks; {name} will raise it with the manager.",
        "First payslip received; went through it together.",
        "Feeling tired but proud to be working.",
        "Worried about asking for time off for appointments; agreed what to say.",
        "Hours have gone up to {hours} a week.",
        "Reported the change in earnings to the benefits office.",
    ),
    ("Next check-in booked.", "Will phone in two weeks.", "Offered to speak to the manager if needed."),
)
_PHONE = (
    ("Phone call with {name}.", "Telephone review.", "Called {name} as agreed."),
    (
        "Things are going okay; {name} has been doing some {interest}.",
        "Applied for a {job} role since we last spoke.",
        "Feeling low this week; kept the call short and booked a face-to-face.",
        "Had an interview at {employer}; waiting to hear back.",
        "Has a jobcentre appointment tomorrow.",
        "Asked about {barrier}; I will find out what help is available.",
    ),
    ("Next appointment confirmed by text.", "Will call again next week."),
)
_VIDEO = (("Video call with {name}.", "Video review; {name} joined from home."), _PHONE[1], _PHONE[2])
NOTES = {
    "initial_assessment": _IA,
    "review": _REVIEW,
    "job_search": _JOB_SEARCH,
    "in_work_support": _IN_WORK,
    "telephone": _PHONE,
    "video": _VIDEO,
}

CONTACT_NOTES = {
    "contact": (
        "Introduced {name} to the manager; they expect to recruit soon.",
        "Spoke to the owner about {job} work and the support we offer employers.",
        "Dropped in a CV; manager will keep it on file.",
        "Called about part-time hours; call back next month.",
    ),
    "application": (
        "Applied online together.",
        "Sent CV and cover letter.",
        "Paper application handed in.",
        "Applied for a {job} role.",
    ),
    "interview": (
        "Interview booked; practised answers beforehand.",
        "Informal interview; went well.",
        "Trial shift arranged.",
        "Interview done; {name} felt it went okay.",
    ),
    "offer": (
        "Offered the job; start date agreed.",
        "Offer made after the trial shift.",
        "Offered a part-time contract.",
    ),
}
RETENTION_NOTES = (
    "Spoke to the line manager about a phased return.",
    "Met HR with {name} to plan adjustments.",
    "Agreed a return-to-work meeting with the manager.",
)

# Goals per category: (title, steps). A step starting "coach:" or "other:" is owned by them.
GOALS = {
    "work": (
        (
            "Find a part-time job ({job})",
            (
                "Update the CV with the coach",
                "Look at {job} vacancies twice a week",
                "Apply for three {job} jobs",
                "coach: Contact two local employers",
                "Practise interview questions",
            ),
        ),
        (
            "Get ready to apply for {job} work",
            ("Write down three strengths", "coach: Find a taster day", "Get a reference from a former manager"),
        ),
        (
            "Agree a return to work with my manager",
            (
                "Ask the GP about a fit note with adjustments",
                "coach: Arrange a meeting with the manager",
                "other: Occupational health to assess",
            ),
        ),
    ),
    "education": (
        (
            "Start a course to improve my English",
            ("Visit the adult college", "Book an ESOL assessment", "coach: Check course fees and funding"),
        ),
        ("Get a Food Hygiene certificate", ("Find an online course", "Complete the course")),
        (
            "Improve my computer skills",
            ("Join the library's computer class", "Set up an email account", "Practise online forms"),
        ),
    ),
    "volunteering": (
        (
            "Volunteer two mornings a week",
            ("Visit the volunteer centre", "Choose a role", "other: Volunteer manager to arrange a start date"),
        ),
        ("Try volunteering at the food bank", ("coach: Make an introduction", "Go for a first shift")),
    ),
    "health": (
        ("Walk for 20 minutes three days a week", ("Plan a route", "Keep a walking diary")),
        ("Sleep better", ("Keep a sleep diary for two weeks", "other: GP to review medication")),
        ("Manage pain at work", ("Attend physiotherapy appointments", "Practise the exercises daily")),
    ),
    "confidence": (
        (
            "Feel ready to talk about my gap in work at interview",
            ("Practise an answer with the coach", "Write it down and read it aloud"),
        ),
        ("Travel on my own to a new place", ("Plan the journey", "Try the journey at a quiet time")),
        ("Join a group activity", ("Find a group for {interest}", "Go to one session")),
    ),
    "finance": (
        ("Get a better-off calculation", ("coach: Book a benefits advice appointment", "Bring recent benefit letters")),
        ("Sort out council tax arrears", ("other: Advice service to contact the council", "Set up a payment plan")),
    ),
    "practical": (
        (
            "Sort out childcare for two days a week",
            ("Ask the nursery about places", "other: Nursery to confirm a place"),
        ),
        (
            "Get proof of identity for work",
            ("Find the birth certificate or passport", "coach: Help with the application form"),
        ),
        ("Get a CSCS card", ("Book the health and safety test", "Pass the test")),
    ),
}
