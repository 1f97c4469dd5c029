"""The demo site's content, written for Broadsheet: authors, sections, articles, comments, pages."""

from django.conf import settings


def html(text: str) -> str:
    """Blank-line-separated blocks to HTML: `## ` starts a subheading, the rest are paragraphs."""
    blocks = []
    for block in text.strip().split("\n\n"):
        block = " ".join(block.split())
        if block.startswith("## "):
            blocks.append(f"<h2>{block[3:]}</h2>")
        elif block.startswith("<"):
            blocks.append(block)
        else:
            blocks.append(f"<p>{block}</p>")
    return "\n".join(blocks)


AUTHORS = [
    {"username": "amara-okafor", "first_name": "Amara", "last_name": "Okafor"},
    {"username": "daniel-reyes", "first_name": "Daniel", "last_name": "Reyes"},
]

# (path, name, description); a parent comes before its children.
CATEGORIES = [
    ("analysis", "Analysis", "Reported pieces that explain how things work and why."),
    ("analysis/cities", "Cities", "Housing, transport, heat and the life of streets."),
    ("opinion", "Opinion", "Arguments, made in the first person."),
    ("opinion/columns", "Columns", "Regular and guest columnists."),
    ("international-affairs", "International Affairs", "The world beyond our borders."),
    (
        "international-affairs/geopolitics",
        "Geopolitics",
        "Power, alliances and the rules between states.",
    ),
    ("economy", "Economy", "Work, prices, trade and industry."),
    ("technology", "Technology", "The tools we build and what they do to us."),
    ("culture", "Culture", "Books, music, nightlife and the arts."),
]


# `days_ago`: when it was published; negative means scheduled for the future, None a draft.
# `picture`: (first colour name, hex, second colour name, hex, shapes) for the featured image.
ARTICLES = [
    {
        "slug": "the-quiet-return-of-industrial-policy",
        "title": "The Quiet Return of Industrial Policy",
        "author": "amara-okafor",
        "categories": ["economy", "analysis"],
        "tags": ["economy", "trade", "manufacturing", "industrial policy"],
        "days_ago": 96,
        "picture": ("navy", "#1d3557", "coral", "#e76f51", "circles"),
        "excerpt": "Governments that spent decades insisting they could not pick winners are "
        "now picking them openly. The question is no longer whether, but how well.",
        "body": """
For most of my working life, "industrial policy" was a phrase economists used the way doctors
use "bloodletting": a reminder of what people did before they knew better. Governments were
supposed to set the rules, keep inflation low and leave the choice of industries to markets.
That consensus has not so much been overturned as quietly abandoned. Subsidies for chip plants,
battery factories and green steel are now announced with ribbon-cutting ceremonies rather than
apologies.

## Why the mood changed

Three things happened at once. Supply chains that looked efficient on a spreadsheet turned out
to be brittle when a pandemic and a war tested them. The climate transition created industries
that markets alone were slow to build, because the first factories carry risks no private
lender wants to price. And rivalry between large economies turned technology from a matter of
trade into a matter of security.

Each of these reasons is respectable. Together, they have become a licence for almost anything.
A subsidy that secures the supply of critical medicines is not the same as one that moves a car
plant from one region to another for the benefit of a marginal constituency, yet both now travel
under the same flag.

## Picking winners, or picking losers?

The old objection still stands: officials have no special gift for spotting the industries of
the future. The better programmes accept this. They set conditions rather than choose companies,
tie support to milestones, and publish what they paid for and what they got. The worse ones hand
out money up front and measure success in press releases.

The test for the next few years is simple to state and hard to pass. When a subsidised project
fails, as some must or the programme was too timid, will governments let it fail and say so in
public? If the answer is no, we will have rebuilt not an industrial strategy but a very
expensive habit.
""",
    },
    {
        "slug": "middle-powers-are-writing-the-new-rules",
        "title": "Middle Powers Are Writing the New Rules",
        "author": "daniel-reyes",
        "categories": ["international-affairs/geopolitics"],
        "tags": ["diplomacy", "trade", "multilateralism"],
        "days_ago": 83,
        "sticky": True,
        "picture": ("teal", "#0f4c5c", "sand", "#e9c46a", "rings"),
        "excerpt": "While the largest powers trade accusations, the countries in the middle are "
        "quietly drafting the agreements everyone else will have to live with.",
        "body": """
Talk of a new cold war assumes that the world sorts itself into two camps. Look at where
agreements are actually being signed, though, and a different picture emerges. Mid-sized
economies in Asia, Latin America, Africa and the Gulf, along with a few European capitals, are
doing deals in every direction at once, and they are not asking anyone's permission.

These middle powers have learned that non-alignment no longer means staying out. It means being
in every room: buying weapons from one bloc and infrastructure from another, joining a trade
pact here and a payments system there. What looks like fence-sitting from the great capitals
looks, from everywhere else, like leverage.

## Rules made by those who need them

The interesting part is not the hedging but the rule-making. On fisheries, digital trade,
critical minerals and sovereign debt, coalitions of mid-sized states are drafting standards that
the largest economies later find themselves adopting. They have less power to impose, so they
have to persuade, and persuasion tends to produce rules that more countries can live with.

There are limits. Middle powers rarely agree with each other for long, and their coalitions
dissolve when a crisis forces a choice. None of them can guarantee anyone's security. But the age
when a few capitals wrote the rules and everyone else signed them is over, and the diplomats who
understand this first will have an easier decade than those who do not.
""",
    },
    {
        "slug": "what-the-heat-map-doesnt-show",
        "title": "What the Heat Map Doesn't Show",
        "author": "amara-okafor",
        "categories": ["analysis/cities"],
        "tags": ["climate", "cities", "public health", "inequality"],
        "days_ago": 71,
        "picture": ("crimson", "#9d0208", "amber", "#ffba08", "bands"),
        "excerpt": "City heat maps have become a familiar image of a warming world. The hottest "
        "streets on them share something the colours leave out.",
        "body": """
Every summer, a new set of satellite heat maps circulates: cities rendered in yellows and angry
reds, with parks and rivers as cool blue islands among them. They are striking images, and they
are useful. But read them alongside a map of household income and the pattern is hard to miss.
The hottest neighbourhoods are very often the poorest ones.

This is not an accident of geography. Streets with fewer trees, more asphalt and denser, older
housing tend to be the streets where land was cheapest and investment thinnest for decades.
Residents there are also less likely to have air conditioning, more likely to work outdoors, and
more likely to live with health conditions that heat makes dangerous.

## Shade is infrastructure

Cities have started to respond, and the best responses are unglamorous. Planting street trees
and, crucially, watering them for the years it takes them to establish. Painting roofs and
playgrounds in lighter colours. Keeping libraries and community centres open late on hot
evenings, and telling people they exist. Changing building rules so that new flats can be kept
cool without running up bills their tenants cannot pay.

None of this makes for a grand opening. A tree planted this spring will not cast much shade for
a decade, long after the council that planted it has faced the voters. That is exactly why shade
should be treated like roads and drains: as infrastructure, with a budget line that survives the
next election.

The heat maps will keep getting redder. Whether the red keeps falling on the same streets is a
choice.
""",
    },
    {
        "slug": "your-phone-is-not-a-town-square",
        "title": "Your Phone Is Not a Town Square",
        "author": "daniel-reyes",
        "categories": ["technology", "opinion/columns"],
        "tags": ["technology", "media", "democracy"],
        "days_ago": 58,
        "excerpt": "We keep describing social platforms as public squares. The metaphor flatters "
        "them, and it makes us worse at deciding what to ask of them.",
        "body": """
It has become a cliché to call the big social platforms "the new town square". The phrase is
meant to convey importance: this is where public conversation happens now, so it deserves the
protections we give to public places. I understand the instinct. I also think the metaphor has
done real damage.

A town square belongs to the town. Its rules are made by people you can vote out, and it is
designed, at least in principle, for everyone to pass through. A platform belongs to a company.
Its rules are written by staff you will never meet, enforced by systems you cannot inspect, and
its layout is tuned, minute by minute, to keep you there rather than to send you home informed.

## A better comparison

A more honest comparison is the shopping centre: privately owned, open to the public, pleasant to
walk around, and organised around the interests of its owner. We do not expect a shopping centre
to host a parliament. We do expect it to have fire exits, to treat people fairly, and to tell us
who is responsible when something goes wrong.

Seen that way, the policy questions become clearer. Not "should this company be a neutral forum
for all speech?", which no company can be, but "what duties come with running a very large
private space where millions gather?" Transparency about how posts are ranked. A way to appeal
decisions that reaches a human being. Data that independent researchers can actually study.

The square, meanwhile, still exists. It is the council meeting, the local paper, the library
noticeboard. If we want a healthier public conversation, we could start by giving some of our
attention back to them.
""",
    },
    {
        "slug": "grain-straits-and-the-price-of-bread",
        "title": "Grain, Straits and the Price of Bread",
        "author": "daniel-reyes",
        "categories": ["international-affairs/geopolitics", "economy"],
        "tags": ["trade", "food security", "shipping", "diplomacy"],
        "days_ago": 47,
        "picture": ("ochre", "#bc6c25", "wheat", "#fefae0", "bands"),
        "excerpt": "A handful of narrow waterways carry much of the world's food. When one of "
        "them closes, the bill arrives at bakeries thousands of miles away.",
        "body": """
Look at a map of how the world's wheat, maize and fertiliser travel, and you will notice how
often the routes narrow to a point. A few straits and canals, some only a few miles wide, carry
a large share of the grain that feeds import-dependent countries. Most of the time nobody thinks
about them. Then a war, a drought or a stranded ship reminds everyone at once.

The effects are rarely felt where the trouble starts. When a route closes, ships divert around
continents, insurance premiums jump and freight costs climb. Importers with hard currency and
storage to spare can ride it out. Those without either, often the countries where bread takes
the largest share of household budgets, pay the most and pay soonest.

## Resilience is dull, and worth it

The remedies are well known and rarely exciting: regional grain reserves, a wider range of
suppliers, ports and railways that give importers a second route, and trade finance that does
not evaporate at the first sign of risk. Each costs money in the years when nothing goes wrong,
which is precisely when budgets are set.

There is a geopolitical lesson too. Countries that sit beside these chokepoints have discovered
how much influence comes with them, and some are tempted to use it. A world that takes food
security seriously needs agreements that keep grain moving even between governments that distrust
each other. Such deals have been struck before, in harder circumstances. They should be a
priority again, before the next closure rather than after it.
""",
    },
    {
        "slug": "the-four-day-week-has-left-the-pilot-stage",
        "title": "The Four-Day Week Has Left the Pilot Stage",
        "author": "amara-okafor",
        "categories": ["economy", "opinion"],
        "tags": ["labour", "productivity", "economy"],
        "days_ago": 36,
        "excerpt": "Trials of a shorter working week have mostly gone well. The hard part starts "
        "now, in the jobs where output cannot simply be compressed.",
        "body": """
A few years ago, the four-day week was a curiosity, championed by a handful of software firms and
design agencies. Since then, trials involving thousands of employees in several countries have
reported broadly similar results: most participating companies kept the shorter week, staff
reported less burnout, and output held up better than the sceptics expected.

It would be easy to declare victory. It would also be premature. The firms that volunteered for
the trials were, almost by definition, the ones that thought it might work for them. And much of
the gain came from cutting meetings, taming email and stopping work nobody needed: improvements
any company could make without changing the length of the week.

## Where it gets difficult

The real test is in work that cannot be compressed. A nurse, a bus driver or a teacher does not
produce more care, more journeys or more lessons by working smarter for four days. In these jobs
a shorter week means hiring more people, and that means someone paying for them.

That does not make the idea wrong. Working hours fell for most of the last century, usually
because productivity rose and workers bargained for a share of it as time rather than money. The
question is whether we are at that point again, and who gets to decide. The most useful thing
governments can do now is not to mandate a four-day week but to gather good evidence from the
sectors where it is hardest, and publish it.
""",
    },
    {
        "slug": "a-harbour-town-learns-to-retreat",
        "title": "A Harbour Town Learns to Retreat",
        "author": "amara-okafor",
        "byline": "Solveig Brandt, guest columnist",
        "guest": True,
        "categories": ["opinion/columns"],
        "tags": ["climate", "coasts", "cities"],
        "days_ago": 27,
        "picture": ("slate", "#264653", "sea green", "#2a9d8f", "rings"),
        "excerpt": "For thirty years I helped build sea walls. Now I help towns decide which "
        "streets to give back to the sea. Here is what that conversation is like.",
        "body": """
For most of my career, my job was to keep the sea out. I designed sea walls, breakwaters and
flood gates for small ports along a cold and beautiful coast, and I was proud of that work. Some
of those defences will hold for decades yet. Others, I now know, bought time rather than safety.

Today I spend more of my hours in village halls than on building sites. The question on the
table is no longer how high to build the wall but which houses it should protect, and for how
long. It is the hardest conversation I have ever been part of, and in most places it has barely
started.

## What people want to know

People do not ask for projections first. They ask whether they can sell their house, whether
their insurance will be renewed, and whether the school will still be there for their
grandchildren. An engineer's honest answer, "not forever, and we do not know exactly when", is
painful to give and worse to hear.

The towns that handle this best start early, while there is still time to choose. They move the
things that are hardest to move, such as the clinic, the care home and the fire station, first,
and to higher ground. They offer fair buy-outs before values collapse, not after. And they let
residents shape the plan, because a retreat imposed from the capital will be resisted, and
rightly so.

Retreat is an ugly word. I prefer to think of it as a town deciding, with its eyes open, where it
will stand for the next hundred years.
""",
    },
    {
        "slug": "batteries-not-barrels",
        "title": "Batteries, Not Barrels",
        "author": "daniel-reyes",
        "categories": ["economy", "analysis"],
        "tags": ["energy", "climate", "economy", "manufacturing"],
        "days_ago": 18,
        "picture": ("forest", "#2d6a4f", "lime", "#b7e4c7", "blocks"),
        "excerpt": "The energy transition is usually told as a climate story. It is increasingly "
        "an industrial one, and its winners will not be the usual suspects.",
        "body": """
For a century, the geography of energy was the geography of oil: whoever sat on the reserves
held the cards. The shift to electricity redraws the map. Sunshine and wind are spread far more
evenly than oil, and the technologies that harvest and store them are manufactured goods whose
costs keep falling as factories grow.

That makes the transition, above all, an industrial contest. The countries that build batteries,
panels, turbines and grid equipment at scale, and that secure the minerals those products need,
are positioning themselves for the decades ahead. Those that import all of it will find they have
swapped one dependency for another.

## The grid is the bottleneck

The less visible problem is the grid. In many countries, new solar and wind projects wait years
for a connection, while transmission lines take a decade to plan and build. Storage smooths the
daily swings, but it cannot replace the wires that carry power from where it is made to where it
is used.

This is where policy matters most, and where it is least exciting. Faster planning decisions,
clear rules on who pays for new lines, and markets that reward flexibility as well as raw output
will do more for the transition than another headline target. The barrels are not gone yet. But
the money is already moving, and it is moving towards whoever can build.
""",
    },
    {
        "slug": "why-every-city-wants-a-night-mayor",
        "title": "Why Every City Wants a Night Mayor",
        "author": "amara-okafor",
        "categories": ["analysis/cities", "culture"],
        "tags": ["cities", "nightlife", "labour"],
        "days_ago": 9,
        "picture": ("midnight", "#10002b", "violet", "#9d4edd", "circles"),
        "excerpt": "Nightlife was long treated as a nuisance to be policed. A growing number of "
        "cities now treat it as an economy to be governed.",
        "body": """
When Amsterdam began giving its nightlife an official voice, the idea struck many people as a
joke. Since then, cities on several continents have appointed night mayors, night czars or
night-time economy advisers. The titles vary; the job is broadly the same: to speak for the people
who work, play and live in the city after dark.

It turns out there are a great many of them. Bar staff, cleaners, nurses, security guards,
musicians, bakers and delivery riders keep the city running at night, and for years they were
barely visible to planners who scheduled transport, lighting and licensing around a nine-to-five
day.

## Noise, safety and the last bus

A good night office spends most of its time on dull, practical problems. Late-night transport, so
that workers are not stranded. Lighting and staffing that make streets feel safe. Soundproofing
grants, so that a music venue and its new neighbours can live side by side rather than one being
closed on the complaint of the other.

The risk is that the role becomes a marketing post, promoting the city's clubs to tourists while
the people working in them still cannot get home. The test of a night mayor is not how lively the
city looks on a Saturday, but whether a cleaner finishing a shift at three in the morning can get
home safely and cheaply.
""",
    },
    {
        "slug": "notes-on-a-translation-boom",
        "title": "Notes on a Translation Boom",
        "author": "amara-okafor",
        "categories": ["culture"],
        "tags": [],
        "days_ago": 3,
        "picture": ("plum", "#5a189a", "rose", "#ff8fab", "blocks"),
        "excerpt": "More fiction in translation is reaching readers than a generation ago, and "
        "translators, long invisible, are finally getting their names on the cover.",
        "body": """
For a long time, publishers in the English-speaking world repeated a gloomy rule of thumb: only a
tiny fraction of the books they published each year were translations, and readers did not want
more. Walk into a good bookshop today and the rule looks out of date. Novels from Korea, Japan,
Norway, Argentina and Poland sit on the front tables, and some of them sell very well indeed.

Several things changed at once. Prizes for translated fiction gave the books attention, and gave
booksellers a reason to stock them. Small independent presses, working on thin margins, took
risks that larger houses would not. And a generation of readers raised on subtitled television
discovered that a story set somewhere else, in a voice not quite like their own, was a pleasure
rather than a chore.

## The translator steps forward

The most welcome change is the visibility of translators themselves. More publishers now print
the translator's name on the cover, and more reviewers discuss the translation instead of
treating it as a pane of glass. That matters, because translation is writing: every sentence
involves choices about rhythm, register and what to leave unsaid.

The boom is fragile. Translators are still poorly paid, and a few bestsellers can hide how hard it
remains for a debut from a smaller language to find an English-language publisher. But the
appetite is real. The task now is to make sure it is fed by more than a handful of languages and a
handful of presses.
""",
    },
    {
        "slug": "the-algorithm-will-see-you-now",
        "title": "The Algorithm Will See You Now",
        "author": "daniel-reyes",
        "categories": ["technology", "analysis"],
        "tags": ["technology", "artificial intelligence", "public health"],
        "days_ago": -4,
        "picture": ("ink", "#03045e", "sky", "#48cae4", "rings"),
        "excerpt": "Health services are turning to AI to cope with long waiting lists. It may "
        "help, if it is judged on patients' outcomes rather than on demonstrations.",
        "body": """
Health services under strain are being offered a tempting promise: software that reads scans,
sorts symptoms, drafts letters and predicts which patients are about to deteriorate. Some of these
tools are genuinely impressive in trials. The harder question is what happens when they leave the
trial and meet a busy ward on a Tuesday night.

The evidence so far is mixed in an instructive way. Systems that take over a narrow, well-defined
task, such as flagging a scan for a second look or transcribing a consultation, tend to save time.
Systems that try to stand in for clinical judgement more broadly often stumble on data that looks
different from what they were trained on, or on staff who do not trust an alert they cannot
explain.

## Evaluate it like a medicine

We already know how to judge a new treatment: test it against the current standard, on patients
like the ones who will receive it, and keep watching after it is approved. Software that shapes
clinical decisions deserves the same discipline, and rarely gets it. Too many purchases are made
on the strength of a demonstration rather than a study.

There is a place for this technology, and it may be a large one. But the measure of success is not
how many tools a hospital deploys or how many hours they promise to save. It is whether patients
are diagnosed sooner, treated better and sent home safely, and that can only be known if someone
is counting.
""",
    },
    {
        "slug": "what-the-census-leaves-out",
        "title": "What the Census Leaves Out",
        "author": "daniel-reyes",
        "categories": ["economy"],
        "tags": ["data", "public services"],
        "days_ago": None,
        "excerpt": "",
        "body": """
Every ten years, most countries try to count everyone who lives in them. The census sounds like
the driest of government exercises, but almost everything else rests on it: how many school
places to build, where to put clinics, how to draw electoral boundaries and how to share money
between regions.

It is also getting harder to do. Response rates have fallen in many places, people move more
often, and some groups, such as young men, recent migrants and people in informal housing, have
always been easy to miss. Several governments are now weighing whether to replace the
questionnaire with records they already hold.

<p><em>Editor's note: needs a section on the privacy trade-offs and one on what
administrative records miss. D.R.</em></p>
""",
    },
]

# Two threads, each a list of (name, text, replies); a reply named by an author's username
# is posted from that author's account.
COMMENTS = {
    "what-the-heat-map-doesnt-show": [
        (
            "Nadia K.",
            "We moved to a street with big plane trees two summers ago and the difference on "
            "hot nights is remarkable. The piece is right about watering, though: half the "
            "saplings the council planted on the next road died in the first dry spell.",
            [],
        ),
        (
            "Tom Whitfield",
            "I would love to see the income map and the heat map overlaid for my own city. "
            "Does anyone know whether that data is published anywhere?",
            [
                (
                    "amara-okafor",
                    "Many cities publish both as open data, usually on the council's data "
                    "portal: look for land surface temperature alongside the census income "
                    "tables. If you make the overlay, do send it to us.",
                )
            ],
        ),
    ],
    "the-four-day-week-has-left-the-pilot-stage": [
        (
            "Grace Oduya",
            "I work in a hospital pharmacy, and the section on work that cannot be compressed "
            "matches my experience exactly: we would need more staff, not fewer meetings.",
            [("Marcus Lind", "Same in schools. Though I would happily start with fewer meetings.")],
        ),
        (
            "Ravi S.",
            "Good piece. One thing missing is part-time workers, who in some trials kept the "
            "same hours and got none of the benefit.",
            [],
        ),
    ],
}


# The moderation queue a newcomer's moderator opens: every state it can show.
# (article slug, name, email, text, status, verdict, reason)
QUEUE = [
    ("what-the-heat-map-doesnt-show", "Priya Raman", "priya@example.com",
     "First time commenting. Our street association planted twelve trees last spring; how do "
     "we find out whether they are the species the study recommends?",
     "held", "ham", "Akismet: not spam; first-time commenter"),
    ("the-four-day-week-has-left-the-pilot-stage", "Leo Brandt", "leo@example.com",
     "Useful background: https://example.org/four-day-week-report and "
     "https://example.org/uk-pilot-data and https://example.org/iceland-trials",
     "held", "ham", "3 links (limit 2)"),
    ("what-the-heat-map-doesnt-show", "Deals Today", "deals@example.net",
     "Cheap air conditioners, best casino bonus, click here now!!!",
     "spam", "spam", "Akismet: spam"),
    ("the-four-day-week-has-left-the-pilot-stage", "Crypto Max", "max@example.net",
     "Make money fast with crypto signals, guaranteed.",
     "spam", "skipped", "disallowed word 'guaranteed'"),
    ("what-the-heat-map-doesnt-show", "Sam Ortiz", "sam@example.com",
     "Shade matters, but so does wind: the tower blocks near me make the street an oven.",
     "held", "error", "Akismet unreachable: timed out, 1st try in a minute"),
    ("the-four-day-week-has-left-the-pilot-stage", "Rude Reader", "rude@example.com",
     "This is the worst article I have ever read and the author should be ashamed.",
     "trash", "ham", "trashed by a moderator"),
]  # fmt: skip


def about_page():
    return html(f"""
{settings.SITE_NAME} publishes opinion and analysis on the questions that shape public life:
power between states, the economy, technology, the climate and the cities most of us live in. We
prefer arguments to outrage, and we try to show our working.

## Who writes here

Our regular writers are Amara Okafor, who covers economics and cities, and Daniel Reyes, who
writes about international affairs and technology. Guest columnists bring expertise we do not
have; their columns are labelled as such.

## How we work

Opinion pieces argue a case, analysis pieces explain one, and every article says which it is.
When we get something wrong we correct it, and the correction says what changed. Readers are
welcome to disagree in the comments, which are moderated for spam and abuse, not for opinion.

<h2 id="newsletter">The Morning Briefing</h2>

Our free newsletter brings five pieces worth your time to your inbox every weekday morning.
To sign up, write to <a href="mailto:newsletter@example.com">newsletter@example.com</a> with the
word "subscribe"; to leave, reply "unsubscribe" to any issue.

<p><em>This is demonstration content for the Broadsheet publishing software.</em></p>
""")


def privacy_page():
    return html(f"""
This page explains what personal data {settings.SITE_NAME} collects, why, and what you can do
about it.

## Reading the site

You can read everything here without an account. Our web server keeps ordinary access logs
(address, time, page requested and browser) for a short period to keep the site secure and
working.

## Comments

When you leave a comment we store the name, email address and website you enter, the text of the
comment, the time, your IP address, your browser's user agent and the page that referred you. Your
name, website and comment are shown publicly once the comment is approved. Your email address and
IP address are never published; editors use them to contact you about your comment and to deal
with abuse.

To keep spam out, we send the comment and these details to Akismet, an anti-spam service run by
Automattic, which checks them against patterns of known spam and tells us whether the comment is
likely to be spam. Akismet processes this data under its own privacy policy, published at
<a href="https://automattic.com/privacy/">automattic.com/privacy</a>. A comment may also be held
for a moderator to review before it appears. If you tell us a comment was wrongly treated as spam,
or a moderator marks a comment as spam, we report that to Akismet so that it learns.

We keep approved comments and their details for as long as the article is online. Comments marked
as spam or moved to the bin are deleted after a period of time.

## Cookies

We set only the cookies the site needs. If you like an article without signing in, a cookie holds
a random identifier so that your like is counted once. After you comment, a session cookie lets
us show you your own comment while it waits for review. If you tick "Save my name, email, and
website in this browser", three cookies keep them for a year to fill in the form next time;
untick the box to remove them. We use no advertising or tracking cookies.

## Emails you ask for

If you tick "Notify me of follow-up comments" or "Notify me of new posts", we keep your email
address for that purpose only, after you confirm it from the email we send. Every email has a
link that stops them at once.

## Your rights

On <a href="/your-data/">Your data</a> you can get a copy of everything we hold under your email
address (comments, subscriptions, accounts), or have it erased: your comments stay in their
discussions as "Anonymous", without your name, address or details. We email you a link first, so
only you can ask for your own. You can also write to
<a href="mailto:privacy@example.com">privacy@example.com</a>.

<p><em>This is demonstration content for the Broadsheet publishing software; adapt it to your own
site before publishing.</em></p>
""")
