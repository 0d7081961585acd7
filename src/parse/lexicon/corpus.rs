//! The phrases each language must read as said: one table per language, the corpus beside the
//! words. Each row is a customer's text and what a careful person reads in it:
//!
//! - `"+3"`, `"-2"`, `"=12"`: one item, a delta or a new total; then, space-separated, the SKU
//!   and the account when the text names them (`"+2 O365_BUSINESS_PREMIUM admin@x.be"`);
//! - several items are separated by `"; "`, in the order the text gives them;
//! - `"ask quantity"`, `"ask direction"`, `"ask product"`, `"ask contradiction"`, `"ask username"`:
//!   the mail must ask;
//! - `"none"`: no request at all (a question, thanks, a report, another matter).
//!
//! The sender of every row is `boss@contoso.be`. After [`QUOTED`], a row gives the history quoted
//! under the customer's words.

use crate::parse::language::Language;
use crate::parse::products::Catalog;
use crate::parse::understand::{understand, Input};
use crate::parse::{Ask, Change};

type Row = (&'static str, &'static str);

/// Separates a row's new text from the quoted history under it.
const QUOTED: &str = "\n>>>\n";

/// Our confirmation, quoted under a reply.
macro_rules! under_ours {
    ($text:literal) => {
        concat!($text, "\n>>>\n> We added 1 Exchange Online (Plan 1) licence for admin@kettenhof.onmicrosoft.com.\n> Webservices")
    };
}

const EN: &[Row] = &[
    ("We're closing our second studio at the end of December, so from January we only need 4 licences in total. I honestly don't know how many licences we're paying for right now.\nAccount: hello@lotusyoga.be", "=4 hello@lotusyoga.be"),
    ("Hello, a few new colleagues need a licence. Thanks, Jan", "ask quantity"),
    ("Hello, some new colleagues start Monday, they need a licence.", "ask quantity"),
    ("Please add 4 Business Premium licences. Only 2 instead of 4 please, the other two come in summer.", "+2 SPB"),
    ("We've offered the job to Sarah. If she signs, please add one Business Standard licence to admin@x.onmicrosoft.com.", "ask quantity"),
    ("We're 25 staff and have 18 user mailboxes plus 4 shared mailboxes. Do the shared mailboxes need a licence of their own? I don't want to pay for 4 licences we don't need.", "none"),
    ("With the takeover, six fitters and four office staff join us on 1 January. The fitters need no licence, the office staff do.\n\nWe have 22 licences now; please bring us to 26.", "+4"),
    ("Tenant: admin@arlon.onmicrosoft.com\nProduct: Microsoft 365 E3\nCurrent quantity: 40\nNew quantity: 46\nReason: new shift supervisors plant 2 (onboarding 4 January 2027)\nCost centre: 4410", "+6 SPE_E3 admin@arlon.onmicrosoft.com"),
    ("Something went wrong on our side: the 3 licences were meant for our sister company. Please set admin@becker.onmicrosoft.com back to 15 licences.", "=15 admin@becker.onmicrosoft.com"),
    ("Please add 5 Business Basic licences to admin@x.onmicrosoft.com, we have five new starters in January.\n\nActually, sorry, make that 4 - Jonas still has his old account.", "+4 O365_BUSINESS_ESSENTIALS admin@x.onmicrosoft.com"),
    ("A quick question before we order anything: does Business Premium include Intune? We are thinking of moving our 8 Business Standard licences in spring.", "none"),
    ("About 4, depending on who we hire.\n>>>\nFrom: Webservices <webservices@reseller.test>\n\nHow many Microsoft 365 Business Standard licences would you like us to add?", "ask quantity"),
    ("Now that the reorganisation is final, a few more changes please:\n\nadmin@a.onmicrosoft.com\n- add 1 Microsoft 365 Business Premium\n\nadmin@b.onmicrosoft.com\n- remove 3 Microsoft 365 Business Standard", "+1 SPB admin@a.onmicrosoft.com; -3 O365_BUSINESS_PREMIUM admin@b.onmicrosoft.com"),
    ("We have 10 now. Could you lower it to 8?", "-2"),
    ("One more colleague handed in her notice today, could you take one more licence off?", "-1"),
    ("Please restore 2 licences on admin@x.onmicrosoft.com.", "+2 admin@x.onmicrosoft.com"),
    ("Could you take one more licence off please?", "-1"),
    ("You added 5 licences but we only wanted 3. Please remove 3.", "ask contradiction"),
    ("You added 5 licences but we only wanted 3. Please remove 2.", "-2"),
    ("Could you undo yesterday's 5 extra Business Basic licences on admin@x.onmicrosoft.com?", "-5 O365_BUSINESS_ESSENTIALS admin@x.onmicrosoft.com"),
    ("Please undo the removal of 2 licences on admin@x.onmicrosoft.com.", "+2 admin@x.onmicrosoft.com"),
    ("In my mail of yesterday I asked for 4 Business Standard licences. That was a mistake: we need 5.", "ask quantity"),
    ("Last week I asked for 3 licences and they work fine. Please add 2 more.", "+2"),
    ("Anna Claes, Pieter Goossens and Sofie Wuyts start on Monday. Please add a licence for each of them, so 2 extra licences.", "ask contradiction"),
    ("Anna Claes, Pieter Goossens and Sofie Wuyts start on Monday. Please add a licence for each of them, so 3 extra licences.", "+3"),
    ("As of this month we manage both tenants with you: admin@verbekenv.onmicrosoft.com and admin@verbekelogistics.onmicrosoft.com.\nCould you remove 2 Business Standard licences?", "ask username"),
    ("Could you ask the supplier to add 2 licences for the new drivers?", "+2"),
    // blind20: two of our products offered as a choice ask which, whatever other product the mail names.
    ("Account: office@hs.onmicrosoft.com\nChange: +5\nProduct: Business Standard or Business Premium - whichever Pieter recommended for the Intune requirement", "ask product"),
    // blind20: a bare number under our "how many" is our question with that number in it.
    ("4\n>>>\nFrom: Webservices <webservices@reseller.test>\n\nYou asked us to \"add a few more Business Standard licences\" on admin@bw.onmicrosoft.com.\n\nHow many Microsoft 365 Business Standard licences would you like us to add? At the moment the tenant has 11.", "+4 O365_BUSINESS_PREMIUM admin@bw.onmicrosoft.com"),
    // Asked to change nothing, the licences it explains are no change.
    ("No, please don\'t change anything. Those 5 licences are for the interns starting in February.", "none"),
    // A licence for every person on a list counts no licences.
    ("Attached is the list of all the employees who need a licence from January. Can you set the number of licences accordingly?", "ask quantity"),
    ("Could you add two more Office 365 Business Premium licences to admin@qf.onmicrosoft.com?\n\nI know Microsoft renamed it at some point, but it's the one we've had since 2019 - the one with the desktop apps.", "+2 O365_BUSINESS_PREMIUM admin@qf.onmicrosoft.com"),
    ("Is it possible to pause a Business Standard licence for a few months? And if we do remove it, how long do you keep the data? We have 23 licences on admin@mb.onmicrosoft.com at the moment.", "none"),
    // A number said with "it might be" is not settled.
    ("We'll need another five Microsoft 365 Business Premium licences on admin@cs.onmicrosoft.com – actually, hold on, it might be six if the graduate starts as well.", "ask quantity"),
    // A change tied to none of the accounts the mail names asks which.
    ("Please remove one licence.\n\nFor info, we have two accounts with you: admin@lab.onmicrosoft.com (lab) and admin@practice.onmicrosoft.com (practice).", "ask username"),
    // Among people's mailboxes, the one tenant login is the account.
    ("Could you please remove 2 licences? The following people have left: Sarah Collins, sarah.collins@nf.com; James Park, james.park@nf.com. Our tenant is admin@nf.onmicrosoft.com.", "-2 admin@nf.onmicrosoft.com"),
    // The same number again in a parenthesis says why; it is no second change.
    ("Exchange Online (Plan 1): remove 2 licences (the 2 reception desks move to Business Premium).", "-2 EXCHANGESTANDARD"),
    // "others" are people.
    ("Sorry, I was vague. It is four licences less. Two assistants have left and two others now share one PC.", "-4"),
    ("We don't want to buy anything extra – Chris simply gets Emily's licence. Do I remove the licence from her account first?", "none"),
    ("As agreed on the phone with your colleague this morning, please do what is needed for the licences.", "ask quantity"),
    ("Second reminder: never mind, please cancel the request below, we changed our minds.\n>>>\n> On Mon, 1 Dec 2026 at 09:12, Jo Peeters <jo@acme.be> wrote:\n> Please remove 2 Business Basic licences from admin@acme.onmicrosoft.com.", "none"),
    // A reminder over the customer's own earlier mail: that request, with its account.
    ("As I asked on Monday: the 2 Business Basic licences should go. It is still not done.\n>>>\n> On Mon, 1 Dec 2026 at 09:12, Jo Peeters <jo@acme.be> wrote:\n> Please remove 2 Business Basic licences from admin@acme.onmicrosoft.com.", "-2 O365_BUSINESS_ESSENTIALS admin@acme.onmicrosoft.com"),
    ("hey team — can you bump us to 25 seats on Business Standard? thx!", "=25 O365_BUSINESS_PREMIUM"),
    // A question in a mail that orders nothing yet orders nothing.
    ("Two questions, we're not ordering anything yet:\n- Can Teams Phone be added on top of Business Basic, or would those 6 people first need Business Standard?\n- What would the difference be per month?", "none"),
    // A mail sent twice, to be made once: no change of its own.
    ("My mail of this morning asking for 3 extra Microsoft 365 Business Basic licenses went out twice. It's 3 in total, not 6 - please process it only once.", "none"),
    // The annual term named beside a change asked from today's count is no change of plan.
    ("At the renewal, please bring us down from 40 to 32 Microsoft 365 E5 licences. The remaining 32 can stay on the annual term.", "-8 SPE_E5"),
    ("1. Add 6 Microsoft 365 F3 licences - new night cleaning crew at the client site (Building C, floors 2-5).", "+6 SPE_F1"),
    // A table's reason column says why, no second change.
    ("Product\tChange\tReason\nMicrosoft 365 Apps for enterprise\t-2\ttwo analysts moved to E3 in July", "-2 OFFICESUBSCRIPTION"),
    // blind17: a leaver's licence that goes to a newcomer is none to add; an unnamed subscription asks.
    ("Three developers start on Monday. Tom leaves and his licence goes to one of them, so we only need 2 extra Business Premium.", "+2 SPB"),
    ("Please add 5 Teams licences. Which subscription that is I honestly don't know, we have several with you.", "ask product"),
    ("Please remove the old licence of Exchange Online (Plan 1), nobody uses it.", "-1 EXCHANGESTANDARD"),
    // blind16: a need in a condition is no removal.
    ("Does our shared mailbox need its own licence? We'd rather not pay for a licence if it isn't needed.", "none"),
    ("Please remove one Business Basic licence: we no longer need it.", "-1 O365_BUSINESS_ESSENTIALS"),
    ("Please add 5 Business Basic licences. Let me correct myself: 4 are enough.", "+4 O365_BUSINESS_ESSENTIALS"),
    // "We don't need an extra licence, just the reassignment": no change, not one less.
    ("Could you move Marc's Business Standard licence to Sofie (sofie@acme.be)? We don't need an extra licence, just the reassignment.", "none"),
    // A number right after "maybe" is a guess, also as a correction of its own.
    ("add 2 licences to ops@acme.be pls\nactually maybe 3 – need to check with HR\nwill let you know", "ask quantity"),
    ("We need Microsoft 365 Apps for business for the new draughtsmen.", "ask quantity"),
    ("Please don't change anything yet: if the board approves, we will need about ten more Business Basic licences.", "none"),
    ("Now that the brewery, the taproom and our two beer cafés are under one tenant, please set the number of licences on admin@kampbeer.onmicrosoft.com to 35 in total.", "=35 admin@kampbeer.onmicrosoft.com"),
    ("Today we have 35 Microsoft 365 F3 licences, one per tablet. Is that allowed, or does every driver need his own licence?", "none"),
    // blind10: "(project 26-014)" is a reference, not a range of quantities.
    ("Please add 2 Business Basic licences for the roofers of the crew in Erpe-Mere (project 26-014).", "+2 O365_BUSINESS_ESSENTIALS"),
    // Probing people and "a licence": the one number of the sentence counts the people who need
    // one each; "they no longer need a licence" after leavers, "1 of them already has one" and
    // today's staff of another sentence ask (they were -1, +1 and +12).
    ("Two new colleagues need a Business Standard licence on it@acme.be.", "+2 O365_BUSINESS_PREMIUM it@acme.be"),
    // Not +10; the one licence for the intern beside today's 10 employees asks (it was filed).
    ("We have 10 employees and need a licence for the new intern on it@acme.be.", "ask quantity"),
    ("3 colleagues left; they no longer need a Business Standard licence on it@acme.be.", "ask quantity"),
    ("3 colleagues need a Business Standard licence, 1 of them already has one (it@acme.be).", "ask quantity"),
    ("We have 12 staff. They need a licence each for Business Basic on it@acme.be.", "ask quantity"),
    // blind15: "those F3 licences" under our confirmation of Microsoft 365 F3 are that product.
    ("Could you do the same again on the same account - three more of those F3 licences?\n>>>\n> We have added 4 Microsoft 365 F3 licences to your account\n> sitecrew@collins.onmicrosoft.com.", "+3 SPE_F1 sitecrew@collins.onmicrosoft.com"),
    // blind15: "11 is plenty" beside today's 14 is the wanted total.
    ("At the moment we pay for 14 Microsoft 365 Business Basic seats – 11 is plenty.", "-3 O365_BUSINESS_ESSENTIALS"),
    // "add a total of 10" adds ten; "increase to a total of 10" is the total.
    ("Please add a total of 10 Office 365 F3 licences on it@acme.be.", "+10 DESKLESSPACK it@acme.be"),
    ("Please increase to a total of 10 Office 365 F3 licences on it@acme.be.", "=10 DESKLESSPACK it@acme.be"),
    // blind15: "box 3" of an address is no change; "the number of licences stays the same" asks
    // nothing; a unit's admin login in brackets after "of <Name>" is the account, not a person's.
    ("Could you update our billing details. New address: Rue du Marché aux Herbes 61, box 3, 1000 Brussels. The number of licences stays the same.", "none"),
    ("- Branch of Wavre (admin@wavre.onmicrosoft.com): 2 more licences\n- Branch of Namur (admin@namur.onmicrosoft.com): 1 licence less", "+2 admin@wavre.onmicrosoft.com; -1 admin@namur.onmicrosoft.com"),
    // "Make that 4" after a change is that change resized (it was dropped as commentary: +3);
    // "or rather 5" may follow the change's product and account in the same sentence.
    ("Please add 3 Business Standard for it@acme.be. Make that 4, one more person starts.", "+4 O365_BUSINESS_PREMIUM it@acme.be"),
    ("Please add 3 Business Standard for it@acme.be.\nRegards\nJan\n\nPS: make it 4.", "+4 O365_BUSINESS_PREMIUM it@acme.be"),
    ("Please add 4 Business Standard for it@acme.be – or rather 5, I forgot Tom.", "+5 O365_BUSINESS_PREMIUM it@acme.be"),
    ("Please add 3 Business Standard for it@acme.be and make it 4 Business Basic.", "+3 O365_BUSINESS_PREMIUM it@acme.be; =4 O365_BUSINESS_ESSENTIALS it@acme.be"),
    // A correction may name another product: the one it names wins (both were applied).
    ("Please add 4 Business Standard licences for it@acme.be. Correction: 3 Business Premium licences.", "+3 SPB it@acme.be"),
    ("Please add 4 Business Standard for it@acme.be. Correction: please also add 2 Business Premium.", "+4 O365_BUSINESS_PREMIUM it@acme.be; +2 SPB it@acme.be"),
    // "plan1" written together names the plan (the typo fixer made it "plan": both plans).
    ("Please set our Exchnage Online plan1 licences to 2 in total.", "=2 EXCHANGESTANDARD"),
    // Not corrections: "sorry, and also 1 more" is a further change; "3 mehr" after today's count is
    // three more; "er worden er 3 overbodig" is no wanted total.
    ("Please add 2 Office 365 E3 licences. Sorry, and could you also add 1 more for the new intern?", "+2 ENTERPRISEPACK; +1 ENTERPRISEPACK"),
    // blind14: "to 12, not to 15" takes 15 back; the other three who need nothing are no change;
    // "that can become 17" is the wanted total; "the necessary licences" are one per person counted,
    // less "one of them" who takes over one.
    ("Please set the total number of licences on admin@x.onmicrosoft.com to 12, not to 15.", "=12 admin@x.onmicrosoft.com"),
    ("We are adding 2 Business Standard licences instead of 5: the other three interns work on the shared PCs in the workshop.", "+2 O365_BUSINESS_PREMIUM"),
    ("We have 20 Office 365 E3 licences today. After the restructuring that can become 17.", "-3 ENTERPRISEPACK"),
    ("Four new engineers join us for the project. Please add the necessary Office 365 E3 licences to admin@x.onmicrosoft.com. One of them takes over the licence of Jan, who leaves in August.", "+3 ENTERPRISEPACK admin@x.onmicrosoft.com"),
    // blind14: a correction says the change's size again ("scratch that, make it 3", "or rather 3",
    // "correction: only remove 2", "18 – no wait, 19"); a withdrawal asks nothing; "E1 – or E3 if …"
    // offers a choice; people who left against today's and the wanted count must add up; people
    // who already have a licence need none.
    ("Please remove 5 Microsoft 365 Business Basic licences.\nTwo interns are staying on, so please remove only 3.", "-3 O365_BUSINESS_ESSENTIALS"),
    ("Please add 4 Business Standard licences. Scratch that, make it 3.", "+3 O365_BUSINESS_PREMIUM"),
    ("Please add 4 Business Standard licences. Or rather 3.", "+3 O365_BUSINESS_PREMIUM"),
    ("Hi, please remove 4 Microsoft 365 F3 from the Belgian tenant.\nSorry, correction: only remove 2. Operations keeps the other two people.", "-2 SPE_F1"),
    ("We have 22 Office 365 E3 licences and from January we only need 18 – no wait, 19. Please reduce from 22 to 19.", "-3 ENTERPRISEPACK"),
    ("Please disregard my email below, we sorted it out internally: nothing needs to change on your side.", "none"),
    ("Please add 4 Office 365 E1 to admin@x.onmicrosoft.com – or Office 365 E3 if E1 cannot be combined with our E5.", "ask product"),
    ("We have 12 Office 365 E3 licences and the 4 summer students have left. So we need 9 from September.", "ask contradiction"),
    ("Five new people start in December. Two of them already have a licence from last year. Please add the Business Basic licences for the others.", "+3 O365_BUSINESS_ESSENTIALS"),
    // blind13: a licence for each person counts the people (less those who take over one); a
    // move between products is fewer of one and more of the other, unless it only explains
    // changes said elsewhere; "quick one" counts nothing; "not changing any quantities" declines.
    ("Account: admin@x.onmicrosoft.com\nWe welcome 2 interns from 1 September.\nThey will each need a Microsoft 365 Business Premium licence.", "+2 SPB admin@x.onmicrosoft.com"),
    ("Account: admin@x.onmicrosoft.com\nTwo new colleagues start on Monday; each needs a Business Standard licence.", "+2 O365_BUSINESS_PREMIUM admin@x.onmicrosoft.com"),
    ("Please add a Business Standard licence for each of our new interns on admin@x.onmicrosoft.com.", "ask quantity"),
    ("We would like to move six of our users from Microsoft 365 Business Standard to Microsoft 365 Business Premium. The other 9 users can stay on Business Standard. Our admin account is admin@x.onmicrosoft.com.", "-6 O365_BUSINESS_PREMIUM admin@x.onmicrosoft.com; +6 SPB admin@x.onmicrosoft.com"),
    ("For admin@x.onmicrosoft.com please:\n- add 3 x Microsoft 365 E3\n- remove 2 x Office 365 E1\nWe are moving two lab technicians from E1 to M365 E3, the third E3 is for a new hire.", "+3 SPE_E3 admin@x.onmicrosoft.com; -2 STANDARDPACK admin@x.onmicrosoft.com"),
    ("Quick one: we have 14 Office 365 E1 at the moment and since the farm shop closed, 11 is enough. Could you take the extra ones away?", "-3 STANDARDPACK"),
    ("Could you send us a new GDAP relationship request for some of our 37 customer tenants? We're not changing any quantities at the moment.", "none"),
    ("We have 9 Business Standard licences and we would not want to pay 2 times for the same person.", "none"),
    // A change put off ("the other two later") is not asked now.
    ("Please remove 3 Business Basic licences now; the other two later, once the interns have left.", "-3 O365_BUSINESS_ESSENTIALS"),
    // blind12: a new person who replaces a leaver uses the leaver's licence; "take away" removes;
    // an invoice that still charges the old count is a billing matter.
    ("Three new mechanics start on Monday 3 March (7:30). One of them replaces Dirk who left last week, so he can just use Dirk's licence. Please add the licences we need on office@garage.be.", "+2 office@garage.be"),
    ("Hereby I would like to ask you to put 2 licenses extra on the account admin@claes.onmicrosoft.com (Office 365 E1) and to take away 1 license of the account beheer@vastgoed.onmicrosoft.com, also E1.", "+2 STANDARDPACK admin@claes.onmicrosoft.com; -1 STANDARDPACK beheer@vastgoed.onmicrosoft.com"),
    ("On 14 February you confirmed the removal of 2 licences from our account (your ref. WS-2025-01655). However, invoice 2025/INV/004471 still charges 16 x Microsoft 365 Business Basic instead of 14. Could you send us a credit note?", "none"),
    // People who join are never a removal ('batch release'); fewer licences than people, said beside them, are the people less those who take over one.
    ("Four new QA analysts join our lab on 1 April (batch release team). Three of them need a new Microsoft 365 E3 licence; the fourth takes over the licence of a colleague who retires.", "+3 SPE_E3"),
    // An hour after a day is no count; a thing word before a licence word names the licence.
    ("She has a new girl starting next Tuesday at 9, so she needs one more Office licence please.", "+1"),
    ("Could you add 2 licences on admin@studio.onmicrosoft.com, in Business Standard or in Business Premium? Whatever suits best.", "ask product"),
    // A total asked in so many words beside people counted in passing (and shifts, which are no licences).
    ("Please set the Exchange Online Plan 1 licences to 40 in total. We now run 3 shifts of 12 operators plus 4 people in dispatch.", "=40 EXCHANGESTANDARD"),
    // A bracket that says nothing of licences counts something else.
    ("Our campaign (job no. 25-0412, 48-sheet posters plus 6 radio spots) is wrapped up. We're currently paying for 14 Office 365 E3 licences; 11 is enough from now on.", "-3 ENTERPRISEPACK"),
    // Thanks after the numbers of a mail typed as one sentence look back on something else.
    ("we have 6 licences now but in winter its just me and my wife so 4 is enough please and yes the bikes are fine thanks for asking last time", "-2"),
    ("Thank you. Could you make sure the invoice for these 2 licences mentions our PO 4500198231?", "none"),
    ("A colleague leaves at the end of the month. If I remove his licence, will his mailbox be kept for 30 days?", "none"),
    ("Please can you make that we have only 9 licenses of Business Basic from now. At the moment we have 11 because of the two students in the summer, they are gone since 31.08.", "-2 O365_BUSINESS_ESSENTIALS"),
    ("The temporary site team (the 64-unit block in Mechelen, 6 floors) has finished and left us. We currently have 14 Microsoft 365 Business Basic licences, we only need 9 from now on.", "-5 O365_BUSINESS_ESSENTIALS"),
    ("March intake is confirmed (25 new temps across our warehouse clients). For the licences, can you do the same as last month? Same account.", "ask quantity"),
    // Floor areas are no counts, "about" before one is no guess of licences.
    ("For the Christmas period we take on extra co-workers in our stores (about 4 200 m² each). Please add 6 Microsoft 365 F3 licences to our tenant admin@nordhem.onmicrosoft.com.", "+6 SPE_F1 admin@nordhem.onmicrosoft.com"),
    // People counted in passing give way to a total asked in so many words.
    ("One of the hygienists left at the end of February and I've already unassigned her licence. Could you set the number of Microsoft 365 Business Standard licences on admin@dental.onmicrosoft.com to 5 in total?", "=5 O365_BUSINESS_PREMIUM admin@dental.onmicrosoft.com"),
    ("Two new colleagues start on Monday, so please set our Business Standard licences to 8.", "=8 O365_BUSINESS_PREMIUM"),
    // An answer to our question: the choice, with what the question says (the quoted history
    // starts with our mail).
    ("Yes, 5 it is. The ticket was written before we hired two extra samplers.\n>>>\nFrom: Webservices <webservices@reseller.test>\nSent: Friday, 4 December 2026 09:31\nSubject: Ticket INC0012345 - quantity?\n\nYour ticket INC0012345 asks us to add Microsoft 365 Business Basic licences to admin@harbourlab.onmicrosoft.com. The quantity field says 5, but the description mentions 4 new samplers. Should we add 5 or 4?\n\nKind regards,\nWebservices", "+5 O365_BUSINESS_ESSENTIALS admin@harbourlab.onmicrosoft.com"),
    ("Yes, 5 it is.\n>>>\nFrom: Jan Peeters <jan@contoso.be>\nSubject: licences\n\nShould we take 5 or 4 Business Basic licences, what do you think?", "none"),
    // A requisition with a price orders what it counts; without one, the direction is asked.
    ("Merci de faire le nécessaire pour la demande ci-dessous.\n\nArticle : Microsoft 365 Business Premium\nQuantité : 2\nPrix unitaire : 20,60 EUR HTVA / mois\nCompte administrateur : admin@laboherman.onmicrosoft.com", "+2 SPB admin@laboherman.onmicrosoft.com"),
    ("Merci de faire le nécessaire pour la demande ci-dessous.\n\nArticle : Microsoft 365 Business Premium\nQuantité : 2\nCentre de coût : 4100\nCompte administrateur : admin@laboherman.onmicrosoft.com", "ask direction"),
    // A form under the note, below its greeting and signature, is part of the request.
    ("Kan ni lägga till två licenser enligt ärendet nedan?\n\nTack på förhand,\nJohan\n\nÄrende: RITM0053301\nArtikel: Microsoft 365 Business Standard\nAntal: 2\nAnvändarnamn: admin@bergstrom.onmicrosoft.com", "+2 O365_BUSINESS_PREMIUM admin@bergstrom.onmicrosoft.com"),
    // A number the customer still doubts asks, whatever the form under it says.
    ("Please hold the quantity below - the form says 10, but it will probably be 8 or 9.\n\nItem: Microsoft 365 Apps for enterprise\nQuantity: 10\nTenant admin: admin@hollander.onmicrosoft.com", "ask quantity"),
    // "We need no additional licences, only a fix" beside today's count.
    ("Outlook says 'unlicensed product' on 2 of our 5 PCs. All 5 Microsoft 365 Apps for business licences are assigned. We don't need additional licences, just a fix. Can you help?", "none"),
    ("Please remove our 3 Exchange Online (Plan 1) licences.", "-3 EXCHANGESTANDARD"),
    // Years, weeks and questions are counted things.
    ("Our youth worker Ingrid has moved back to Uppsala after three years with us, so please remove 1 Microsoft 365 Business Standard licence from our account info@nordicparish.be. And one more question: the summer camp (38 children, 9 leaders) will use a shared mailbox. Does a shared mailbox need a licence?", "-1 O365_BUSINESS_PREMIUM info@nordicparish.be"),
    // Someone takes over a licence, but the mail says not how many: the joiners are not the licences.
    ("Three new colleagues start on Monday. The new team lead takes over Peter's licence. Please add Business Basic licences for them.", "ask quantity"),
    // Beside today's count, a change of half of it or more asks (most often it was the total,
    // misread); a small one, or all of them, does not.
    ("We have 12 Business Basic licences. Please add 8 for the new site.", "ask quantity"),
    ("We have 12 Business Basic licences. Please add 2 for the new site.", "+2 O365_BUSINESS_ESSENTIALS"),
    ("Please remove 5 Business Basic licences, we have 5 now.", "-5 O365_BUSINESS_ESSENTIALS"),
    // One part per tenant: a part with numbers but no change read is not half applied.
    ("Two customers need changes.\n\nAdmin account: admin@nordfreight.onmicrosoft.com\n- Microsoft 365 Business Premium: +2\n\nAdmin account: it-admin@brabantcoldchain.onmicrosoft.com\n- Microsoft 365 F3 for the 6 seasonal drivers", "ask quantity"),
    ("Two of my customers need changes this month.\n\nAdmin account: admin@nordfreight.onmicrosoft.com\n- Microsoft 365 Business Premium: +2\n- Exchange Online Plan 1: -1\n\nAdmin account: it-admin@brabantcoldchain.onmicrosoft.com\n- Microsoft 365 F3: currently 40, should be 46 (seasonal drivers for trucks 1-ABC-123 up to 1-ABC-128)", "+2 SPB admin@nordfreight.onmicrosoft.com; -1 EXCHANGESTANDARD admin@nordfreight.onmicrosoft.com; +6 SPE_F1 it-admin@brabantcoldchain.onmicrosoft.com"),
    ("Please remove 1 Business Standard licence (we have 19, 18 will remain).", "-1 O365_BUSINESS_PREMIUM"),
    ("A few changes for customers I manage (all on Microsoft 365 Business Basic):\n\nTandartspraktijk Oostkust – admin@tandartsoostkust.onmicrosoft.com\n+1 (new assistant from 2 February)\n\nPhysio Terhagen – admin@physioterhagen.onmicrosoft.com\n-2 (two part-timers left in January)\n\nApotheek Verbeke – admin@apotheekverbeke.onmicrosoft.com\nmake it 5 in total", "+1 O365_BUSINESS_ESSENTIALS admin@tandartsoostkust.onmicrosoft.com; -2 O365_BUSINESS_ESSENTIALS admin@physioterhagen.onmicrosoft.com; =5 O365_BUSINESS_ESSENTIALS admin@apotheekverbeke.onmicrosoft.com"),
    ("We want to pay by direct debit for our 3 customers from January. This does not change anything about the licences (24 in total).", "none"),
    ("Please add 2 Business Basic licences. This does not change anything for our Business Standard licences.", "+2 O365_BUSINESS_ESSENTIALS"),
    ("Add a dozen Microsoft 365 Apps for business licences - the stock managers in our 6 Brussels pharmacies need desktop Excel.", "+12 O365_BUSINESS"),
    ("On invoice 2026-118 I see 9 Business Basic licences for 87.30 EUR. The 9 is right, we added one on 12 March. Could you explain the amount?", "none"),
    ("Please add 2 Business Basic licences. Could you also explain the amount on the last invoice?", "+2 O365_BUSINESS_ESSENTIALS"),
    ("Please add 4 extra Business Basic licences (2 for sales and one for the warehouse).", "+4 O365_BUSINESS_ESSENTIALS"),
    ("Please add 2 Business Standard licences (and remove 1 Business Basic).", "+2 O365_BUSINESS_PREMIUM; -1 O365_BUSINESS_ESSENTIALS"),
    ("One of the new starters didn't show up after all, so could you take one Business Basic licence back off?", "-1 O365_BUSINESS_ESSENTIALS"),
    ("Please take 2 Business Basic licences off our subscription.", "-2 O365_BUSINESS_ESSENTIALS"),
    ("We will need more Microsoft 365 F3 licences for the night shift, probably 6 to 8 - I still have to confirm the number.", "ask quantity"),
    ("Please remove one Office 365 E3 licence. The other E3 licences and our two Power BI Pro licences remain unchanged.", "-1 ENTERPRISEPACK"),
    (under_ours!("Thanks! Please add two more Exchange Online Plan 1 on the same account."), "+2 EXCHANGESTANDARD admin@kettenhof.onmicrosoft.com"),
    // Deltas and totals.
    ("Please add 3 licences.", "+3"),
    ("We need 3 more licenses", "+3"),
    ("Could you remove 2 licenses?", "-2"),
    ("We no longer need one licence", "-1"),
    ("Please reduce to 8 licences.", "=8"),
    ("Please go from 10 to 15 licences", "+5"),
    ("We currently have 12 licences on admin@maes.onmicrosoft.com, please make it 10.", "-2 admin@maes.onmicrosoft.com"),
    ("We pay for 15 Business Standard licences today but we only need 12 from next month.", "-3 O365_BUSINESS_PREMIUM"),
    ("Our Microsoft 365 F3 licences go from 95 to 90.", "-5 SPE_F1"),
    ("Today we have 10 Microsoft 365 F3 licences. We want 14, because the winter shift starts on 5/10.", "+4 SPE_F1"),
    ("Our Microsoft 365 F3 licences go from 95 to 90. The 5 cashier accounts have already been unassigned.", "-5 SPE_F1"),
    ("Please add 4 Business Standard licences. Sorry, not 4 but 3 - one of our new trainees doesn't need her own licence. So 3 extra in total.", "+3 O365_BUSINESS_PREMIUM"),
    ("For our controllers 3 Power BI Pro licences please.", "none"),
    ("We need 12 Business Standard licences in total.", "=12 O365_BUSINESS_PREMIUM"),
    ("We only need 5 licences.", "=5"),
    ("Please add 2 licences, so we go to 12 in total.", "+2"),
    ("Please add not 3 but 4 licences.", "+4"),
    ("Please add 4 licences instead of 3.", "+4"),
    ("Sorry, my earlier mail was wrong: please bring Business Standard back to 32 in total (not 35).", "=32 O365_BUSINESS_PREMIUM"),
    ("Exchange Online Plan 1 x5 please for the new team.", "+5 EXCHANGESTANDARD"),
    ("Could you ask for ten Office 365 F3 for the summer workers?", "+10 DESKLESSPACK"),
    ("Please add 6 Office 365 F3 licences for the warehouse (4 people + 2 reserves).", "+6 DESKLESSPACK"),
    // People are not licences.
    ("We have three new colleagues starting on 2 June. One of them is taking over the licence of a colleague who is retiring, so we only need 2 extra licences.", "+2"),
    ("Three new colleagues start with us on 1 June. One of them takes over the licence of Ann, so for the other two we need new licences.", "+2"),
    ("Please find attached our purchase order: we need licences for our 4 new colleagues.", "+4"),
    ("Sorry, one person will not join after all: please reduce our licences to 12.", "=12"),
    // Products and accounts.
    ("Please add 2 Business Standard licences for tenant admin@contoso.onmicrosoft.com", "+2 O365_BUSINESS_PREMIUM admin@contoso.onmicrosoft.com"),
    ("Add 2 Exchange Online Plan 1 licences and remove 1 Business Basic", "+2 EXCHANGESTANDARD; -1 O365_BUSINESS_ESSENTIALS"),
    ("Please add 1 licence. My login is this address.", "+1 boss@contoso.be"),
    ("Could we get an extra seat? The Office 365 username is the address I'm writing from.", "+1 boss@contoso.be"),
    ("Please add 3 Business Basic licences for jan@alpha.be and 2 for piet@beta.be.", "+3 O365_BUSINESS_ESSENTIALS jan@alpha.be; +2 O365_BUSINESS_ESSENTIALS piet@beta.be"),
    ("Please remove 1 Business Basic licence, and send the invoice to accounts@contoso.be.", "-1 O365_BUSINESS_ESSENTIALS"),
    ("Please cancel 3 licences of Office 365 Business Premium on admin@green.onmicrosoft.com.", "-3 O365_BUSINESS_PREMIUM admin@green.onmicrosoft.com"),
    ("Please add 2 Microsoft 365 Apps licences. We use Apps for enterprise everywhere.", "+2 OFFICESUBSCRIPTION"),
    // Must ask.
    ("Please add 3 or 4 licences", "ask quantity"),
    ("We need between 5 and 7 extra licences", "ask quantity"),
    ("Please add a couple of licences", "ask quantity"),
    ("We'll need about ten extra Business Basic licences for the summer camp.", "ask quantity"),
    ("Please add licences for our new staff", "ask quantity"),
    ("Business Standard licences: 5", "ask direction"),
    ("Add 2 E3 licences", "ask product"),
    ("Please remove the licences of the people who left", "ask username"),
    ("Please set our Business Standard licences to 20 in total.\n\nWe need 22 Business Standard licences in total.", "ask contradiction"),
    ("Please adjust our licences on admin@x.onmicrosoft.com to the attached list.", "ask quantity"),
    ("Please add 3 Business Standard licences so that we have 20 in total. At the moment we have 15.", "ask contradiction"),
    ("Please add 5 Business Standard licences so that we have 20 in total. At the moment we have 15.", "+5 O365_BUSINESS_PREMIUM"),
    ("We no longer need our 4 Exchange Online (Plan 2) licences. All 4 can go. Please keep the 23 Business Standard licences as they are.", "-4 EXCHANGEENTERPRISE"),
    ("Please keep our 12 Business Basic licences as they are.", "none"),
    // No request.
    ("Thanks for adding the 3 licences!", "none"),
    ("How do I assign a licence to a user?", "none"),
    ("We use Office 2016 and call +32 475 12 34 56.", "none"),
    ("We got 3 extra licences last week (thanks!). How do I assign one of them to a new user?", "none"),
    ("Can you tell me how many of the 5 extra licences are still free?", "none"),
    ("The 3 Business Basic licences for the interns do not work, can you check?", "none"),
    ("I'd like to know what 5 extra E3 licences would cost. We're not ordering anything yet.", "none"),
    ("Could you activate MFA for our 12 users?", "none"),
    ("Thanks, the 3 extra licences are there. And please add 2 more.", "+2"),
    ("Our invoice is wrong, please send a credit note. Also, please add 2 licences.", "+2"),
    ("Can we get 2 more licences?", "+2"),
    ("Your invoice lists 18 licences but we have 15, this is wrong. Please send a credit note.", "none"),
    ("Please we need 3 more Business Premium. So total 3 extra licences for the login admin@brightwave.onmicrosoft.com", "+3 SPB admin@brightwave.onmicrosoft.com"),
    ("Please cancel two E5 licences. It concerns the two licences of Ann and Bob (Microsoft 365 E5).", "-2 SPE_E5"),
    ("We need 6 extra F3 for the new pickers.\n\nOffice 365 F3 x6", "+6 DESKLESSPACK"),
    ("Please remove the Microsoft 365 Apps for business licence of Claire.", "-1 O365_BUSINESS"),
    ("Please add 3 Business Basic licences for the new sales reps.\n\nAlso, we can remove 1 Business Basic licence because Tom is leaving.", "+3 O365_BUSINESS_ESSENTIALS; -1 O365_BUSINESS_ESSENTIALS"),
    ("Please add 3 Business Basic for the sales team. We also need 2 more Business Basic for the interns.", "+3 O365_BUSINESS_ESSENTIALS; +2 O365_BUSINESS_ESSENTIALS"),
    ("Please add 3 Business Standard licences. So 4 extra Business Standard licences.", "ask contradiction"),
    ("Please add 3 Business Basic licences for the new sales reps. We also need 2 Exchange Online Plan 1 for the drivers.", "+3 O365_BUSINESS_ESSENTIALS; +2 EXCHANGESTANDARD"),
    ("Could you update our subscription as follows:\n\n* Microsoft 365 Business Standard: add 2\n* Exchange Online (Plan 1): remove 3 - the three shop mailboxes are now shared", "+2 O365_BUSINESS_PREMIUM; -3 EXCHANGESTANDARD"),
    ("Please find attached the signed quote. Could you activate the 8 licences?", "+8"),
    ("please adjust as in the table:\n\nProduct                         Current Needed\nMicrosoft 365 Business Standard 10      14", "+4 O365_BUSINESS_PREMIUM"),
    ("Business Basic: 12 licences", "ask direction"),
    ("Please add 2 Microsoft 365 Apps licences.", "ask product"),
    ("Could you add a licence for each of the two interns? Basic or Standard, what would you advise?", "ask product"),
];

const FR: &[Row] = &[
    ("Merci beaucoup ! Par contre, pourriez-vous en retirer une sur le même compte ?\n>>>\nLe 3 déc. 2026 à 10:12, Webservices <webservices@reseller.test> a écrit :\n\nVotre demande a été traitée : 2 licences ont été ajoutées à admin@yoga.onmicrosoft.com.", "-1 admin@yoga.onmicrosoft.com"),
    ("Sur votre facture, je vois 8 licences facturées. Vous en aviez retiré une à notre demande. Pouvez-vous vérifier ?", "none"),
    ("Il nous en faut 10 au total, pas 12. Pouvez-vous corriger ?\n>>>\nLe 09/12/2026 à 15:40, Webservices a écrit :\n\n5 licences ont été ajoutées à admin@m.onmicrosoft.com.\nVous disposez maintenant de 12 licences.", "-2 admin@m.onmicrosoft.com"),
    ("Bonjour, quelques nouveaux collègues ont besoin d'une licence. Merci", "ask quantity"),
    ("Salut,\n\nVous savez me mettre deux licences en plus sur admin@zinneke.onmicrosoft.com une fois ? C'est pour les deux nouveaux au bar, ils commencent lundi 14.", "+2 admin@zinneke.onmicrosoft.com"),
    ("Voici les adaptations pour deux sociétés que nous gérons :\n\nAlpha Invest S.A. – admin@alpha.onmicrosoft.com\n\n* Microsoft 365 Business Premium : +2\n\nBeta Immobilière S.à r.l. – admin@beta.onmicrosoft.com\n\n* Microsoft 365 Business Premium : -1", "+2 SPB admin@alpha.onmicrosoft.com; -1 SPB admin@beta.onmicrosoft.com"),
    ("Une question avant de commander quoi que ce soit : Intune est-il inclus dans Business Premium ? Nous pensons passer nos 8 licences Business Standard au printemps.", "none"),
    ("bonjour\non a 9 lic actuellement on passe à 7 svp, 2 ouvriers sont partis fin novembre\nIdentifiant : admin@x.onmicrosoft.com", "-2 admin@x.onmicrosoft.com"),
    ("Nous passons à 7 licences.", "=7"),
    ("Merci pour la confirmation. Pourriez-vous m'envoyer la facture ? Notre comptable en a besoin avant le 18.", "none"),
    ("Vous en avez ajouté 4, nous n'en voulions que 3. Merci d'en retirer 2.", "ask contradiction"),
    ("Dans mon mail d'hier, je vous ai demandé 4 licences Business Standard. C'est une erreur de ma part : il en faut 5. Pourriez-vous corriger ?", "ask quantity"),
    ("Peux-tu demander au fournisseur d'ajouter 2 licences pour les nouveaux chauffeurs ?", "+2"),
    // blind20: a change and the total it leads to, against today's count in our quoted mail.
    ("Comme convenu, ajoutez les 3 licences, nous passerons donc à 10.\n>>>\nDe : Webservices <webservices@reseller.test>\n\nVous avez actuellement 8 licences Microsoft 365 Business Basic sur admin@mk.onmicrosoft.com.\nMerci de répondre à ce mail pour confirmer.", "ask contradiction"),
    ("Comme convenu, ajoutez les 3 licences, nous passerons donc à 10.\n>>>\nDe : Webservices <webservices@reseller.test>\n\nVous avez actuellement 7 licences Microsoft 365 Business Basic sur admin@mk.onmicrosoft.com.\nMerci de répondre à ce mail pour confirmer.", "+3 O365_BUSINESS_ESSENTIALS admin@mk.onmicrosoft.com"),
    // blind20: "qui commence le 14" is a day; "10 h 12" an hour.
    ("1 licence M365 Business Premium en plus svp, pour la nouvelle assistante qui commence le 14.", "+1 SPB"),
    ("Annule et remplace mon mail de ce matin (10 h 12) : nous n\'ajoutons pas 5 mais seulement 3 licences Microsoft 365 E3 sur le compte it@gf.onmicrosoft.com.", "+3 SPE_E3 it@gf.onmicrosoft.com"),
    ("Non, merci de ne rien changer. Ces 5 licences sont prévues pour les stagiaires qui commencent en février.", "none"),
    ("En plus des 8 licences que nous avons déjà, il nous en faudrait 2 de plus pour le cabinet (une nouvelle kiné et la secrétaire à mi-temps).\nCompte : cabinet@kf.onmicrosoft.com", "+2 cabinet@kf.onmicrosoft.com"),
    ("À partir de janvier nous serons une dizaine dans l'équipe, pouvez-vous adapter nos licences en fonction ? Le compte c'est admin@re.onmicrosoft.com.", "ask quantity"),
    ("Nous sommes maintenant 14 personnes, mais seulement 12 ont besoin d'une licence. Nous avons actuellement 10 licences Microsoft 365 Business Basic, il en manque donc deux.\nPouvez-vous les ajouter sur admin@gi.onmicrosoft.com ?", "+2 O365_BUSINESS_ESSENTIALS admin@gi.onmicrosoft.com"),
    ("Après comparaison des deux plans, Exchange Online (Plan 1) nous suffit.\nMerci donc de retirer nos 2 licences Exchange Online (Plan 2) et de les remplacer par 2 licences Exchange Online (Plan 1), sur admin@cn.onmicrosoft.com.", "-2 EXCHANGEENTERPRISE admin@cn.onmicrosoft.com; +2 EXCHANGESTANDARD admin@cn.onmicrosoft.com"),
    ("Pouvez-vous ajouter une licence sur mon compte ? Un nouveau dessinateur nous rejoint le 7 décembre.\nSon adresse sera thomas@ra.fr, mais c'est bien sur mon compte qu'il faut ajouter la licence.", "+1 boss@contoso.be"),
    ("Merci d'ajouter 2 licences Business Standard sur admin@dt.onmicrosoft.com et admin@dl.onmicrosoft.com.", "ask username"),
    // A day in words before its month is a date; "il en faudrait" after today's count is the wanted total.
    ("Nous avons pour l'instant septante licences Business Basic. Avec les deux stagiaires qui arrivent le lundi quatre janvier, il nous en faudrait septante-deux. Pourriez-vous faire le nécessaire ?", "+2 O365_BUSINESS_ESSENTIALS"),
    // An answer to our question "how many" is the request it asked about.
    ("Oui pardon. Il en faut trois, toujours des Business Standard, sur le même compte.\n>>>\n> Le 07/12/2026 à 10:42, Webservices a écrit :\n> Combien de licences Business Standard souhaitez-vous ajouter exactement sur delvaux@dt.onmicrosoft.com ?", "+3 O365_BUSINESS_PREMIUM delvaux@dt.onmicrosoft.com"),
    ("Comme convenu au téléphone avec votre collègue ce matin, merci de faire le nécessaire pour les licences.", "ask quantity"),
    ("Commande donc deux licences Microsoft 365 Business Standard chez notre revendeur ; les numéros et Teams Phone, c'est Telcoplus qui s'en occupe.", "+2 O365_BUSINESS_PREMIUM"),
    ("Veuillez trouver notre bon de commande pour 3 licences.", "ask direction"),
    // An answer that picks one of the products our question offers, by one word of its name.
    ("Sur les Basic, les deux, merci. Même compte, oui.\n>>>\nDe : Webservices <webservices@reseller.test>\nObjet : Votre demande : 2 licences supplémentaires – quel abonnement ?\n\nNous avons bien reçu votre demande d'ajout de 2 licences pour le compte admin@pirard.onmicrosoft.com.\nCe compte comporte deux abonnements : Microsoft 365 Business Standard (9 licences) et Microsoft 365 Business Basic (4 licences). Pouvez-vous nous préciser sur lequel les 2 licences doivent être ajoutées ?", "+2 O365_BUSINESS_ESSENTIALS admin@pirard.onmicrosoft.com"),
    // blind17: "reprendra la licence", "l'ancienne licence … : vous pouvez la supprimer".
    ("Madame Renson reprendra la licence de Maître Dupuis ; il nous faut donc deux licences Microsoft 365 Business Premium en plus. Le PC de l'accueil n'utilise plus l'ancienne licence « Office 365 ProPlus » : vous pouvez la supprimer.", "+2 SPB; -1 OFFICESUBSCRIPTION"),
    ("Ajoutez 3 licences Teams svp. Quel abonnement c'est, je ne le sais pas vraiment.", "ask product"),
    // blind16: "je me corrige" opens a correction (and its kin in the other languages).
    ("Merci de prévoir 5 licences Business Basic supplémentaires.\n\nJe me corrige : 4 licences suffisent.", "+4 O365_BUSINESS_ESSENTIALS"),
    // "bon de commande" is a purchase order, no verb; "nouveau" is no direction for "nos 22
    // licences"; "831/123-13" is a budget article, no "-13".
    ("Merci de mentionner sur vos factures relatives à nos 22 licences Microsoft 365 le nouveau bon de commande n° BC/2026/0087 ainsi que l'article budgétaire 831/123-13.", "none"),
    ("Nous commandons 3 licences Business Standard pour it@acme.be.", "+3 O365_BUSINESS_PREMIUM it@acme.be"),
    // blind16: "chambres 201 à 215" are rooms, no alternative quantities; "Nom d'utilisateur :"
    // labels the login, even when it is the sender's address.
    ("Suite à la fermeture de l'annexe (chambres 201 à 215), voici notre demande :\nNom d'utilisateur : boss@contoso.be\nProduit : Office 365 E3\nNombre de licences à retirer : 2", "-2 ENTERPRISEPACK boss@contoso.be"),
    ("Nous avons besoin de Microsoft 365 Apps for business pour les nouveaux dessinateurs.", "ask quantity"),
    ("Pour l'équipement des 12 inspecteurs de quartier en smartphones, le Chef de corps a validé le passage de nos licences Microsoft 365 F3 à 40 au total.", "=40 SPE_F1"),
    // "Ah non, …" opens a correction: the change after it replaces the one before.
    ("Merci de retirer 3 licences Business Basic sur it@acme.be.\n\nAh non, je viens de voir avec le chef : un des trois reste. Retirez-en seulement 2 donc, désolé.", "-2 O365_BUSINESS_ESSENTIALS it@acme.be"),
    ("Deux nouveaux collègues ont besoin d'une licence Business Standard sur admin@firme.be.", "+2 O365_BUSINESS_PREMIUM admin@firme.be"),
    // blind15: "une Basic" right after its quantity is Business Basic; "Même compte" under our
    // confirmation is its account.
    ("Merci pour la rapidité ! Même compte : pourriez-vous finalement en retirer une Basic ?", "-1 O365_BUSINESS_ESSENTIALS"),
    // blind15: "de 3 à 2 tournées" changes rounds, not licences; "Unité de Wavre (admin@…)" is the
    // unit's account (the subject's product against the body's: understand::tests).
    ("Notre cabinet infirmier passe en janvier de 3 à 2 tournées par jour.\nPourriez-vous réduire nos licences à 9 ?", "=9"),
    ("- Unité de Wavre (admin@scouts-wavre.onmicrosoft.com) : 2 licences en plus\n- Guides de Jodoigne (admin@guides-jodoigne.onmicrosoft.com) : une licence en moins", "+2 admin@scouts-wavre.onmicrosoft.com; -1 admin@guides-jodoigne.onmicrosoft.com"),
    ("Merci d'ajouter 4 licences Business Standard pour admin@firme.be. Correction : 4 licences Business Premium.", "+4 SPB admin@firme.be"),
    // blind14: "à 12, et non à 15" takes 15 back.
    ("Passez le nombre total de licences sur admin@x.onmicrosoft.com à 12, et non à 15.", "=12 admin@x.onmicrosoft.com"),
    // blind14: "ou plutôt 3", "retirez-en seulement 3" correct the change; "ignorez mon précédent
    // mail" withdraws; the students who left and the wanted count must add up.
    ("Merci d'ajouter 4 licences Business Standard. Ou plutôt 3.", "+3 O365_BUSINESS_PREMIUM"),
    ("Merci de retirer 5 licences Business Basic. Deux stagiaires restent, retirez-en seulement 3.", "-3 O365_BUSINESS_ESSENTIALS"),
    ("Nous avons 12 licences Office 365 E3 et les 4 étudiants engagés pour l'été sont partis. Il nous en faut donc 9.", "ask contradiction"),
    ("Merci d'ignorer mon précédent mail, rien ne doit changer.", "none"),
    // blind13: "chacun une licence" counts the people; "remplacer sa licence Basic par une
    // Standard" moves one; "envisager de passer … rien à modifier pour l'instant" asks nothing;
    // "• - 1" beside "• + 2" is a minus; a field "Nombre total souhaité" is a total; a shop's
    // name before its address in brackets is no person's; what "j'ai écrit « … »" cites asks
    // nothing; "2 suffiront, pas 3" corrects the change; "un des trois" is a group.
    ("Compte : admin@x.onmicrosoft.com\nNous accueillons 2 stagiaires à partir du 1er septembre.\nIls auront chacun besoin d'une licence Microsoft 365 Business Premium.", "+2 SPB admin@x.onmicrosoft.com"),
    ("Pouvez-vous remplacer sa licence Microsoft 365 Business Basic par une Microsoft 365 Business Standard ?\nNotre compte : admin@x.onmicrosoft.com", "-1 O365_BUSINESS_ESSENTIALS admin@x.onmicrosoft.com; +1 O365_BUSINESS_PREMIUM admin@x.onmicrosoft.com"),
    ("Nous envisageons de passer nos 25 utilisateurs de Microsoft 365 Business Premium à Microsoft 365 E5.\nRien à modifier pour l'instant, c'est pour préparer le budget.", "none"),
    ("Pour notre compte admin@x.onmicrosoft.com, merci d'effectuer les modifications suivantes :\n\n• + 2 Microsoft 365 Business Basic\n• - 1 Exchange Online (Plan 2)", "+2 O365_BUSINESS_ESSENTIALS admin@x.onmicrosoft.com; -1 EXCHANGEENTERPRISE admin@x.onmicrosoft.com"),
    ("Identifiant Office 365 : admin@x.onmicrosoft.com\nProduit : Microsoft 365 Business Premium\nNombre total souhaité : 17", "=17 SPB admin@x.onmicrosoft.com"),
    ("1) Pharmacie de la Place (admin@pharma.onmicrosoft.com) : une licence Apps for business en plus.\n2) Étude du notaire Collard (it@notaire.be) : supprimer 2 O365 E1.", "+1 O365_BUSINESS admin@pharma.onmicrosoft.com; -2 STANDARDPACK it@notaire.be"),
    ("Toutes mes excuses : j'ai écrit « retirer 3 licences » alors qu'il fallait lire « ajouter 3 licences ».\n\nMerci donc d'ajouter 3 licences Business Standard sur le compte gestion@x.onmicrosoft.com.", "+3 O365_BUSINESS_PREMIUM gestion@x.onmicrosoft.com"),
    ("Merci d'ajouter 3 licences Office 365 F3 sur le compte planning@x.be.\nEDIT : un des trois s'est désisté. 2 licences suffiront donc, pas 3.", "+2 DESKLESSPACK planning@x.be"),
    // blind12 059: what "nous reviendrons vers vous" puts off is not asked now.
    ("Nos stagiaires terminent leur stage fin juin. Merci de retirer 5 licences Microsoft 365 Business Basic de notre abonnement.\nPetite correction après vérification avec la comptabilité : deux stagiaires sont prolongés jusqu'à fin août. Retirez-en donc seulement 3 pour l'instant, nous reviendrons vers vous pour les deux autres.", "-3 O365_BUSINESS_ESSENTIALS"),
    // "Est-ce que je peux … ?" asks how; "payer deux fois" says how often, no count.
    ("Est-ce que je peux simplement réattribuer la licence de l'ancien au nouveau, ou dois-je vous demander d'en supprimer une et d'en ajouter une ?\nNous avons 9 licences Microsoft 365 Business Standard et je ne voudrais pas payer deux fois.", "none"),
    // blind12: a mind change announced in words; a line per account; "deux, peut-être trois" offers
    // two numbers; "ça" typed "ca" is no "circa"; French names of the Business plans; sizes in Go.
    // A label-like start ("Petite correction :") heading sentences of prose is no field: its
    // sentences are read one by one.
    ("Merci de retirer 5 licences Microsoft 365 Business Basic.\nPetite correction : deux stagiaires sont prolongés. Retirez-en donc seulement 3.", "-3 O365_BUSINESS_ESSENTIALS"),
    ("Pourriez-vous retirer 4 licences Office 365 E1 sur it@ecole.be ? Je reviens sur ma demande en relisant : deux enseignants restent jusqu'en juin. Retirez-en seulement 2, s'il vous plaît.", "-2 STANDARDPACK it@ecole.be"),
    ("Voici les adaptations pour nos trois sociétés :\n\n- Charleroi (admin@hsc.onmicrosoft.com) : 2 licences en plus\n- Thuin (admin@hst.onmicrosoft.com) : une de moins, le bureau de Lobbes ferme le 28/03\n- Services (admin@hss.onmicrosoft.com) : +1\n\nTout est en Microsoft 365 Business Basic.", "+2 O365_BUSINESS_ESSENTIALS admin@hsc.onmicrosoft.com; -1 O365_BUSINESS_ESSENTIALS admin@hst.onmicrosoft.com; +1 O365_BUSINESS_ESSENTIALS admin@hss.onmicrosoft.com"),
    ("Nous devons ajouter des licences Business Standard pour admin@willems.onmicrosoft.com : deux, peut-être trois, cela dépend si le freelance signe son contrat.", "ask quantity"),
    ("Julien termine son contrat fin avril, sa boîte Exchange (Plan 1) de 50 Go peut être supprimée, et celle des stages aussi. Ca fait deux licenses de moins à payer. Compte gestion@academie.onmicrosoft.com.", "-2 EXCHANGESTANDARD gestion@academie.onmicrosoft.com"),
    ("Volontiers 4 licences supplémentaires de Microsoft 365 Affaires Standard pour le compte dak@goossens.onmicrosoft.com.", "+4 O365_BUSINESS_PREMIUM dak@goossens.onmicrosoft.com"),
    ("Pourriez-vous modifier l'adresse de facturation liée à notre compte admin@terre.onmicrosoft.com ? Rien ne change pour nos 23 licences.", "none"),
    // A question before ordering orders nothing; "il nous en faudra 24" after today's 28 is -4.
    ("Petite question avant de commander : nous avons 3 équipes de 8 opérateurs qui se partagent 4 tablettes. Faut-il une licence Microsoft 365 F3 par opérateur ?", "none"),
    ("Nous avons actuellement 28 licences Office 365 E3 et il nous en faudra 24 à partir de la rentrée (départs à la retraite et deux postes supprimés).", "-4 ENTERPRISEPACK"),
    // "En fait non" takes back what the mail asked before; "une seule" is one.
    ("Pouvez-vous retirer deux licences sur direction@ecole.be ? En fait non, je viens de parler avec ma fille. Retirez-en une seule, s'il vous plaît.", "-1 direction@ecole.be"),
    ("Bjr, une licence en moins svp, l'opérateur de la presse 2 est parti hier.", "-1"),
    ("Faut-il une licence Microsoft 365 F3 par opérateur ou par tablette ?", "none"),
    ("Sur votre facture du 03/04 je vois 4 licences, alors que nous n'en avons que 3. Pouvez-vous vérifier et m'expliquer ?", "none"),
    // The product of the mail answered, for the same account.
    ("Pourriez-vous annuler l'ajout d'hier et retirer ces 3 licences du même compte ?\n>>>\n> Votre demande a été traitée pour le compte direction@mra.onmicrosoft.com : 3 licences Microsoft 365 Business Standard ajoutées.", "-3 O365_BUSINESS_PREMIUM direction@mra.onmicrosoft.com"),
    ("Merci de porter nos licences Exchange Online Plan 1 à nonante au total.\n\nActuellement nous en avons 62, si je ne me trompe pas.", "=90 EXCHANGESTANDARD"),
    ("Aujourd'hui nous avons 18 licences Microsoft 365 Business Standard ; à partir du 1er avril nous n'en voulons plus que 14.", "-4 O365_BUSINESS_PREMIUM"),
    ("Bonjour, vous avez bien ajouté la licence la semaine passée merci. Mais comment je fais pour la donner au nouveau stagiaire ? Je vois \"1 disponible\".", "none"),
    ("Nous engageons une dizaine d'étudiants pour l'été dans nos 5 clubs. Pourriez-vous prévoir les licences Business Basic nécessaires ? Je vous confirmerai le nombre exact plus tard.", "ask quantity"),
    // An invoice complaint that says the count is right asks no change.
    ("Votre facture mentionne 18 licences Microsoft 365 Business Basic. Or, nous n'en avons plus que 16 depuis le 1er février, date à laquelle vous nous avez confirmé la suppression de 2 licences. Le nombre de licences affiché dans le centre d'administration est correct ; seule la facture est erronée.", "none"),
    // A hedged number in a mail that says the exact number comes later asks.
    ("Pour le festival, il nous faudra une douzaine de licences Exchange Online (Plan 1) en plus, peut-être plus. Je vous confirme le nombre exact la semaine prochaine.", "ask quantity"),
    // Vets are people: their departure explains the new total.
    ("Suite au départ de deux vétérinaires, merci de ramener notre abonnement Office 365 Business Premium à 10 licences.", "=10 O365_BUSINESS_PREMIUM"),
    // "nos 14 licences" with no direction in its sentence is what the customer has.
    ("Notre pouvoir organisateur demande que notre numéro FASE (2638) figure désormais sur les factures de nos 14 licences.", "none"),
    ("Les stages de nos 4 étudiants se terminent le 31 mai. Leurs 4 licences Exchange Online (Plan 1) peuvent toutes partir à cette date.", "-4 EXCHANGESTANDARD"),
    ("Suite à la fermeture de notre dépôt de Charleroi, nous passons de 12 à 9 licences Office 365 E1. Les palettes restantes iront à Namur, cela ne change rien pour les autres utilisateurs.", "-3 STANDARDPACK"),
    // What is left after the change confirms it.
    ("Il faudra retirer une licence Business Standard sur notre tenant (nous en avons 19, il en restera 18).", "-1 O365_BUSINESS_PREMIUM"),
    // "ne ... que" is "only": a wanted total, not "no longer need".
    ("Nous avons actuellement 32 licences Microsoft 365 Business Basic. Après le départ des intérimaires, nous n'en aurons plus besoin que de 27.", "-5 O365_BUSINESS_ESSENTIALS"),
    ("Nous n'avons plus besoin que de 12 licences Business Standard.", "=12 O365_BUSINESS_PREMIUM"),
    ("Pour nos trois clients, nous souhaitons passer du virement à la domiciliation SEPA. Cela ne change rien aux licences (24 au total).", "none"),
    ("Pour le magasin 7 (Wavre), merci d'ajouter deux licences Microsoft 365 Business Basic. Il s'agit des deux nouveaux vendeurs qui commencent le 1er avril.", "+2 O365_BUSINESS_ESSENTIALS"),
    ("Suite à la réorganisation des équipes (3 équipes de jour, 1 équipe de nuit, 65 membres du personnel au total), nous souhaitons passer à 30 licences Office 365 F3 au total.", "=30 DESKLESSPACK"),
    ("Sur la facture FA-2026-03-1187, je vois 9 licences Microsoft 365 Business Basic pour 87,30 €. Le nombre de 9 est correct (nous avons ajouté une licence le 12 mars), mais je ne comprends pas le montant. Pourriez-vous m'expliquer le calcul ?", "none"),
    ("Il nous faudra plus de licences Microsoft 365 F3 pour l'équipe de nuit, probablement 6 à 8, je dois encore confirmer le nombre.", "ask quantity"),
    ("Merci de retirer une licence Office 365 E3. Les autres licences E3 ainsi que nos deux licences Power BI Pro restent inchangées.", "-1 ENTERPRISEPACK"),
    (under_ours!("Merci ! Pouvez-vous ajouter deux Exchange Online Plan 1 sur le même compte ?"), "+2 EXCHANGESTANDARD admin@kettenhof.onmicrosoft.com"),
    ("Serait-il envisageable d'ajouter trois licences Business Basic (au tarif de 5,10 € HTVA/mois comme les autres) ?", "+3 O365_BUSINESS_ESSENTIALS"),
    ("Depuis lundi, 3 de nos utilisateurs ne parviennent plus à activer Word. Les 3 licences Business Standard sont pourtant attribuées. Pouvez-vous regarder ?", "none"),
    ("Deux licences de plus svp", "+2"),
    ("Pourriez-vous supprimer une licence ?", "-1"),
    ("Pouvez-vous passer à 15 licences ?", "=15"),
    ("de 10 à 15 licences svp", "+5"),
    ("Merci de passer à 12 licences Microsoft 365 Apps for business (au lieu de 10).", "+2 O365_BUSINESS"),
    ("Nous avons actuellement 7 licences Exchange Online Plan 1 et il nous en faudrait 10.", "+3 EXCHANGESTANDARD"),
    ("Ce n'est finalement pas 3 mais 4 licences qu'il faut ajouter.", "+4"),
    ("Il nous faudrait 3 Business Basic pour les stagiaires qui arrivent lundi.", "+3 O365_BUSINESS_ESSENTIALS"),
    ("Merci d'ajouter 2 licences Business Standard et de supprimer 1 licence Business Basic.", "+2 O365_BUSINESS_PREMIUM; -1 O365_BUSINESS_ESSENTIALS"),
    ("Peux-tu demander de supprimer la licence Microsoft 365 Apps for business de Claire ?", "-1 O365_BUSINESS"),
    ("Merci d'ajouter une licence Business Basic. Mon identifiant est admin@x.onmicrosoft.com", "+1 O365_BUSINESS_ESSENTIALS admin@x.onmicrosoft.com"),
    ("Il me faudrait 2 ou 3 licences en plus", "ask quantity"),
    ("Il nous faudra une dizaine de licences Business Basic supplémentaires pour la rentrée.", "ask quantity"),
    ("Merci de retirer 2 licences. Nous aurons donc 10 licences au lieu de 13.", "ask contradiction"),
    ("Merci, les 3 licences supplémentaires ont été ajoutées.", "none"),
    ("Comment attribuer une licence ? Nous avons reçu les 2 licences supplémentaires hier.", "none"),
    ("Nous souhaitons passer nos 18 licences d'une facturation mensuelle à un engagement annuel, si c'est plus avantageux.", "none"),
    ("Merci de mettre à jour la domiciliation SEPA pour nos licences Microsoft 365.", "none"),
    ("Pouvons-nous passer à 15 licences ?", "=15"),
    ("J'ai oublié mon mot de passe, le code arrive au 06 12 34 56 78. Pouvez-vous m'aider ?", "none"),
    ("Désolé, il faut revenir à 32 licences Business Standard au total (et non 35).", "=32 O365_BUSINESS_PREMIUM"),
    ("Merci d'activer les 5 licences du devis signé.", "+5"),
    ("Pourriez-vous activer l'authentification MFA pour nos 12 utilisateurs ?", "none"),
    ("Voici l'ajustement :\n\nProduit | Actuel | Souhaité\nBusiness Basic | 12 | 10\nBusiness Standard | 4 | 4", "-2 O365_BUSINESS_ESSENTIALS"),
    ("Pourriez-vous ajouter 2 licences Business Basic pour les nouveaux stagiaires, en graag 1 Business Basic minder voor Jan die vertrekt.", "+2 O365_BUSINESS_ESSENTIALS; -1 O365_BUSINESS_ESSENTIALS"),
    ("Nous avons actuellement 40 licences Microsoft 365 F3 ; il nous en faut désormais 34.", "-6 SPE_F1"),
    ("Merci donc d'ajouter 10 licences Microsoft 365 F3.", "+10 SPE_F1"),
    ("Nous avons 15 licences Business Standard payées mensuellement. Nous souhaiterions passer à un engagement annuel pour ces 15 licences.", "none"),
    // Today's count, the total and the change all given: they must add up.
    ("Nous avons 12 licences Business Basic. Merci de passer à 10, donc 3 de moins.", "ask contradiction"),
    ("Nous avons 12 licences Business Basic. Merci de passer à 10, donc 2 de moins.", "-2 O365_BUSINESS_ESSENTIALS"),
    ("Pouvez-vous passer à 8 licences Business Standard ? Ça fait 3 de plus que maintenant (on en a 6).", "ask contradiction"),
    // Today's count and the wanted one both given: a delta (requests-outside/README.md).
    ("Pouvez-vous passer à 9 licences Business Standard ? Ça fait 3 de plus que maintenant (on en a 6).", "+3 O365_BUSINESS_PREMIUM"),
    ("Merci d'ajouter 2 licences Business Basic. Nous gardons les 10 licences Business Standard telles quelles.", "+2 O365_BUSINESS_ESSENTIALS"),
];

const NL: &[Row] = &[
    ("Hallo, een paar nieuwe medewerkers hebben een licentie nodig. Groeten, Jan", "ask quantity"),
    ("Zodra ze tekent, graag een licentie Business Standard erbij.", "ask quantity"),
    ("Door de overname komen er per 1 januari zes monteurs en vier mensen op kantoor bij ons. De monteurs hebben geen licentie nodig, de kantoormensen wel.\n\nWe zitten nu op 22 licenties; breng ons naar 26 graag.\n\nTenant: beheer@devries.onmicrosoft.com", "+4 beheer@devries.onmicrosoft.com"),
    ("Tenant: admin@devries.onmicrosoft.com\nAantal: +3\nReden: nieuwe collega's in vestiging 2", "+3 admin@devries.onmicrosoft.com"),
    ("Twee aanpassingen voor onze groep:\n\nVoor de vzw (admin@vzw.onmicrosoft.com): vijf licenties minder, de vrijwilligers werken sinds 1 december met gedeelde accounts.\nVoor de bv (admin@bv.onmicrosoft.com): één Office 365 E3 erbij voor onze nieuwe boekhouder.", "-5 admin@vzw.onmicrosoft.com; +1 ENTERPRISEPACK admin@bv.onmicrosoft.com"),
    ("Ge moogt er ene afdoen, de Jens is weg sinds vrijdag.\nAccount: info@garage.be", "-1 info@garage.be"),
    ("Kunt ge er nog ene bijzetten voor de nieuwe stagiair? Business Basic.", "+1 O365_BUSINESS_ESSENTIALS"),
    ("Onze penningmeester stopt eind december na 22 jaar. Zijn licentie mag dus weg vanaf januari.", "-1"),
    ("Bedankt! De ene licentie is voor Jan, de andere voor Piet.", "none"),
    ("Een vraag voor we iets bestellen: zit Intune in Business Premium? We denken eraan onze 8 licenties Business Standard in het voorjaar om te zetten.", "none"),
    ("We hebben er 10 nu. Kunnen jullie naar 8 gaan?", "-2"),
    ("Kunnen jullie er 1 terugzetten op admin@x.onmicrosoft.com?", "+1 admin@x.onmicrosoft.com"),
    ("Per vestiging:\nHoofdzetel Lier – admin@a.onmicrosoft.com\n2 licenties erbij\n\nFiliaal Gent – admin@b.onmicrosoft.com\n1 licentie eraf\n\nFiliaal Brugge – admin@c.onmicrosoft.com\nblijft 5, daar verandert niets", "+2 admin@a.onmicrosoft.com; -1 admin@b.onmicrosoft.com"),
    ("Mag er nog eentje af?", "-1"),
    ("Kunnen jullie er nog 1 licentie afhalen?", "-1"),
    ("Jullie hebben er 4 toegevoegd, we wilden er maar 2. Graag 1 verwijderen.", "ask contradiction"),
    ("Sorry, vorige week vroeg ik 4 extra licenties, maar er is uiteindelijk maar 1 chauffeur gestart. Kunnen jullie Microsoft 365 Business Basic terugzetten naar 32 in totaal?", "=32 O365_BUSINESS_ESSENTIALS"),
    ("Na de herschikking van het personeel (enkele leerkrachten met pensioen, een paar interims die gestopt zijn) hebben we minder accounts nodig. We hebben nu 52 licenties Microsoft 365 Business Basic, dat mag 45 worden.", "-7 O365_BUSINESS_ESSENTIALS"),
    ("Een paar nieuwe medewerkers hebben elk een licentie nodig.", "ask quantity"),
    ("Kunnen jullie de 3 extra licenties van gisteren ongedaan maken op admin@x.onmicrosoft.com?", "-3 admin@x.onmicrosoft.com"),
    ("Gisteren heb ik 4 licenties gevraagd. Dat was fout: graag 5 licenties.", "ask direction"),
    ("Karen, vraag jij aan de leverancier om er 5 licenties bij te zetten voor de nieuwe chauffeurs?", "+5"),
    // blind20: a total asked under our "hoeveel … in totaal" is that total, whatever today's count our mail gives.
    ("18\n>>>\nVan: Webservices <webservices@reseller.test>\n\nU vroeg om \"wat licenties bij te zetten\" op admin@ck.onmicrosoft.com. U heeft momenteel 14 licenties Microsoft 365 Business Basic.\n\nHoeveel licenties Microsoft 365 Business Basic wenst u in totaal?", "=18 O365_BUSINESS_ESSENTIALS admin@ck.onmicrosoft.com"),
    ("Neen, gelieve niets te wijzigen. Die 5 licenties zijn bedoeld voor de leerlingen die in februari starten.", "none"),
    ("In bijlage de lijst van alle medewerkers die vanaf januari een licentie nodig hebben. Kunnen jullie het aantal licenties daarop afstemmen?", "ask quantity"),
    // A change the other way under another heading is another change, not a sum that fails.
    ("Voor januari graag de volgende aanpassingen:\n\nWinkel Mechelen\nGebruikersnaam: admin@bpm.onmicrosoft.com\nvan 6 naar 8 licenties\n\nWinkel Lier\nGebruikersnaam: admin@bpl.onmicrosoft.com\n1 licentie minder", "+2 admin@bpm.onmicrosoft.com; -1 admin@bpl.onmicrosoft.com"),
    ("Wij hebben 6 licenties. Graag van 6 naar 8 licenties. En 1 licentie minder.", "ask contradiction"),
    ("In het voorjaar komen er seizoenkrachten bij, zet er maar een stuk of 4 bij op admin@pt.onmicrosoft.com.", "ask quantity"),
    ("Kunnen jullie ons nog vóór de verlenging op 1 januari terugbrengen naar 10 licenties Microsoft 365 Business Standard? Nu hebben we er 14, maar na het vertrek van vier monteurs hebben we er niet meer nodig.\nHet account is beheer@ve.onmicrosoft.com.", "-4 O365_BUSINESS_PREMIUM beheer@ve.onmicrosoft.com"),
    ("Top, bedankt! We zien de 3 nieuwe licenties al in het portaal.\n>>>\n> Er werden 3 licenties toegevoegd aan admin@tg.onmicrosoft.com.\n> Webservices", "none"),
    ("Graag 2 licenties erbij voor Kim en Bram op admin@hb.onmicrosoft.com.\n\nOf wacht, Bram begint misschien pas in maart. Zet er dan voorlopig maar 1 bij voor Kim? Of toch 2, dan is het meteen in orde... Ik laat het jullie nog weten.", "ask quantity"),
    ("Kunnen jullie 3 licenties minder zetten op praktijk@tg.onmicrosoft.com?\n\nPS: Jan twijfelt nog of hij blijft, misschien wordt het maar 2. Ik laat het nog weten.", "ask quantity"),
    // What today's count must become.
    ("Wij hebben momenteel 9 licenties Business Standard. Vanaf januari moeten dat er 11 zijn (twee nieuwe medewerkers).", "+2 O365_BUSINESS_PREMIUM"),
    // "I'll let you know" after a later change is no doubt about this one.
    ("Kunnen jullie 1 licentie Business Basic bijzetten voor de vervangster? Account: onthaal@vdb.be\n\nTegen juli mag die er normaal terug af, ik laat het nog weten.", "+1 O365_BUSINESS_ESSENTIALS onthaal@vdb.be"),
    ("Onze boekhouder vindt de factuur van november niet terug (factuurnummer 2026/11/0457, 12 licenties). Kunnen jullie ons een kopie sturen?", "none"),
    ("Moet zij haar licentie houden, of kunnen we de licentie tijdelijk opzeggen en daarna opnieuw bestellen? We beslissen pas na jullie advies.", "none"),
    // The answer picks one offered product and names the other to say no.
    ("Microsoft 365 Business Premium, dus niet Business Standard. Het aantal blijft 4 zoals gevraagd.\n>>>\nVan: Webservices <webservices@reseller.test>\nOnderwerp: RE: 4 extra licenties\n\nU vraagt 4 extra licenties voor beheer@maes.onmicrosoft.com. Op die tenant hebt u zowel Business Standard als Business Premium. Welk product bedoelt u?", "+4 SPB beheer@maes.onmicrosoft.com"),
    ("Ik vroeg op 3 november om 2 licenties Exchange Online (Plan 2) te verwijderen (zie hieronder), maar op de factuur van december staan ze er nog altijd bij. Mogen die er alsnog af?\n>>>\n> Op 03/11/2025 10:14 CET schreef An Claes <an.claes@claes.be>:\n> Mogen er 2 licenties Exchange Online (Plan 2) af op ons account admin@claes.onmicrosoft.com?", "-2 EXCHANGEENTERPRISE admin@claes.onmicrosoft.com"),
    ("Kunnen jullie ons naar 18 seats bumpen voor Business Basic?", "=18 O365_BUSINESS_ESSENTIALS"),
    ("Kunnen jullie vanaf de volgende factuur ons nieuwe adres gebruiken? Ons aantal licenties (12 Business Standard) blijft hetzelfde.", "none"),
    // The admin centre's state, pasted in thanks: no change.
    ("Bedankt, goed ontvangen! Ik zie ze ook al staan in het beheercentrum: Microsoft 365 Business Standard – 14 toegewezen, 0 beschikbaar.", "none"),
    ("Per 1 januari gaat onze vaste ploeg (gebouw B, 5 mensen) over naar de klant zelf. Hun 5 licenties mogen dus weg.", "-5"),
    ("Graag 2 licenties Business Basic erbij, voor de teeltbegeleiders van serre 7 en serre 8. Bij het inpakstation mag er 1 af, sorteerlijn 2 is geautomatiseerd.", "+2 O365_BUSINESS_ESSENTIALS; -1 O365_BUSINESS_ESSENTIALS"),
    // blind17: "zijn licentie gaat naar één van de nieuwkomers".
    ("Maandag starten er 3 nieuwe developers. Jelle vertrekt en zijn licentie gaat naar één van de nieuwkomers, dus we hebben er maar 2 extra nodig. Concreet: 2 x Microsoft 365 Business Premium erbij.", "+2 SPB"),
    // The Dutch plural "'s" is part of its word: "collega's" are people as "collegas" are.
    ("Twee nieuwe collega's hebben een licentie Business Standard nodig op it@acme.be.", "+2 O365_BUSINESS_PREMIUM it@acme.be"),
    // blind16: "één licentie" each, like "een licentie" each, is one for each of those counted.
    ("De cultuurdienst, de jeugddienst en de sportdienst krijgen er elk één licentie bij.", "ask quantity"),
    ("Wij hebben bij jullie nog twee tenants lopen: lindel.onmicrosoft.com met 38 licenties en kerkhove.onmicrosoft.com met 17. Kunnen die samengevoegd worden?", "none"),
    ("Kunnen beide tenants samengevoegd worden? Aan de aantallen zelf willen we voorlopig niets veranderen.", "none"),
    // Licences needed for new people, with no number, ask how many (they were filed).
    ("Wij hebben Microsoft 365 Apps for business nodig voor de nieuwe tekenaars.", "ask quantity"),
    ("Vijf tekenaars werken mee in ons team. Twee van hen hebben al een licentie; voor de anderen hebben wij Microsoft 365 Apps for business nodig.", "ask quantity"),
    // "nog niets te wijzigen" with "te": a notice, not a request (it asked about "een tiental").
    ("Als het punt wordt goedgekeurd, zouden we een tiental extra licenties Microsoft 365 E3 nodig hebben. Gelieve nu nog niets te wijzigen.", "none"),
    ("Onze 3 nieuwe coördinatoren krijgen elk één licentie Business Basic.", "+3 O365_BUSINESS_ESSENTIALS"),
    ("Twee nieuwe collega’s hebben een licentie Business Standard nodig op it@acme.be.", "+2 O365_BUSINESS_PREMIUM it@acme.be"),
    // blind15: "nu 40, 36 volstaat": the 40 is today's (the enough word is the 36's); "volstaan er
    // vanaf volgende maand 15" with words between.
    ("We hebben er nu 40 Microsoft 365 F3, 36 volstaat.", "-4 SPE_F1"),
    ("Wij hebben momenteel 18 licenties bij u lopen. Door het vertrek van drie medewerkers volstaan er vanaf volgende maand 15.", "-3"),
    // blind15: "iedereen op de lijst moet een licentie hebben" is a licence per person, not one;
    // "onze ploegen tellen 4 tot 6 man" is a crew's size, no quantity asked.
    ("Gelieve het aantal licenties Business Standard op beheer@x.onmicrosoft.com af te stemmen op de lijst in bijlage: iedereen op de lijst moet een licentie hebben, de anderen niet.", "ask quantity"),
    ("Kunnen jullie er in totaal 6 bijzetten op ict@claeysbouw.be? Onze ploegen tellen 4 tot 6 man.", "+6 ict@claeysbouw.be"),
    ("Graag 3 licenties Business Basic erbij voor it@firma.be. Sorry, ik bedoel 3 licenties Business Standard.", "+3 O365_BUSINESS_PREMIUM it@firma.be"),
    ("Kunnen jullie 2 licensies Exchange online plan2 bijzetten?", "+2 EXCHANGEENTERPRISE"),
    // Not corrections: "sorry, and also 1 more" is a further change; "3 mehr" after today's count is
    // three more; "er worden er 3 overbodig" is no wanted total.
    ("Wij hebben 20 licenties Office 365 E3. Er worden er 3 overbodig.", "none"),
    // blind14: "niet op 6" takes 6 back; "de andere drie stagiairs werken op de pc's" asks nothing;
    // "mag dat 17 worden" is the wanted total.
    ("Het totaal voor it@x.be moet op 8 licenties Microsoft 365 E3 komen, niet op 6.", "=8 SPE_E3 it@x.be"),
    ("Na overleg nemen we maar 2 licenties Business Standard bij in plaats van 5: de andere drie stagiairs werken op de pc's in het atelier.", "+2 O365_BUSINESS_PREMIUM"),
    ("We hebben momenteel 20 licenties Office 365 E3. Na de herstructurering mag dat 17 worden.", "-3 ENTERPRISEPACK"),
    // blind14: "of nee, toch maar 3", "verwijder er dus maar 3" correct the change; "negeer mijn
    // vorige mail" withdraws; "E1 …, of E3" offers a choice.
    ("Graag 4 licenties Business Standard erbij. Of nee, toch maar 3.", "+3 O365_BUSINESS_PREMIUM"),
    ("Graag 5 licenties Microsoft 365 Business Basic verwijderen.\nKleine correctie: twee stagiairs blijven langer. Verwijder er dus maar 3.", "-3 O365_BUSINESS_ESSENTIALS"),
    ("Negeer mijn vorige mail, er hoeft niets te veranderen.", "none"),
    ("Graag 3 licenties Office 365 E1 erbij op admin@x.onmicrosoft.com, of Office 365 E3 als dat beter past.", "ask product"),
    // blind13: "ze hebben elk een licentie nodig" counts the people; "E1 vervangen door E3"
    // moves them; "nog niets wijzigen aan de looptijd" leaves the seats to change.
    ("Account: admin@x.onmicrosoft.com\nWe hebben 3 nieuwe medewerkers vanaf maandag.\nZe hebben elk een licentie Business Standard nodig.", "+3 O365_BUSINESS_PREMIUM admin@x.onmicrosoft.com"),
    ("Voor drie gebruikers willen we de licentie Office 365 E1 vervangen door Office 365 E3, op ons account ict@x.be.\nDat wil ik eerst voorleggen aan de directie, dus nog niets wijzigen aan de looptijd.", "-3 STANDARDPACK ict@x.be; +3 ENTERPRISEPACK ict@x.be"),
    // blind12: "een vijftal" is about five; "naar die 6" is the 6 said before; a change on "the
    // account of the crèches" asks whom; "Dank u." ends a sentence; a reply that undoes our change.
    ("We zouden een vijftal licenties extra nodig hebben op admin@aerts.onmicrosoft.com voor de nieuwe werfleiders. Kan dat?", "ask quantity"),
    ("We betalen momenteel voor 9 licenties, maar we gebruiken er maar 6 sinds de carrosserie apart draait. Kunnen jullie het terugbrengen naar die 6? Ons account is info@garage-claes.be.", "-3 info@garage-claes.be"),
    ("De 3 E1-licenties die gisteren verwijderd werden, hadden van het account van de crèches (admin@kiemkinderopvang.onmicrosoft.com) moeten gaan. Kunnen jullie die 3 op admin@kiemscholen.onmicrosoft.com terugzetten en in de plaats 3 E1-licenties verwijderen op het account van de crèches?", "ask username"),
    ("Dank u. Kan u nog één licentie bij doen op hetzelfde account? Er komt nog een stagiaire bij in mei.\n>>>\n> Wij hebben 2 licenties toegevoegd aan het account admin@renard.onmicrosoft.com.\n> Webservices <webservices@reseller.test>", "+1 admin@renard.onmicrosoft.com"),
    // A date between the want and its number.
    ("Onze vzw heeft vandaag 10 licenties bij jullie. Door de uitbreiding naar Ninove, Geraardsbergen en Zottegem willen we er vanaf volgende week 14. Kan dat in orde gebracht worden?", "+4"),
    ("We hebben op dit moment 14 licenties Microsoft 365 Business Standard. Met 11 hebben we voortaan genoeg.", "-3 O365_BUSINESS_PREMIUM"),
    // "anderen" are others (no slip of "ändern"); a licence taken over is none to add.
    ("Vanaf maandag starten er drie nieuwe collega's. Eén van hen neemt de plaats in van Els; zij mag haar licentie gewoon overnemen. Voor de twee anderen hebben we dus een extra licentie nodig.", "+2"),
    ("Heeft zo'n gedeelde mailbox zelf een licentie nodig? We hebben er nu 8.", "none"),
    ("Een collega vertrekt eind deze maand. Als ik zijn licentie intrek, blijft zijn mailbox dan nog 30 dagen bewaard?", "none"),
    // New people of any trade who start are people; "daar hoeven jullie niets voor te doen" is not for us.
    ("Vanaf 1 april starten er drie nieuwe tekenaars bij ons. Eén van hen neemt de licentie over van Pieter. Graag dus de nodige extra licenties Microsoft 365 Business Standard. Revit: de 3 extra seats bestel ik zelf bij Autodesk, daar hoeven jullie niets voor te doen.", "+2 O365_BUSINESS_PREMIUM"),
    // A guess of licences asks, "maybe a few more" beside it or not; "±600 patiënten" is a
    // guess of patients, no change; "het juiste aantal weet ik pas eind september" is unsure.
    ("Voor de griepcampagne verwachten we ±600 patiënten. We hebben dus ongeveer 10 licenties Business Basic extra nodig, misschien iets meer.", "ask quantity"),
    ("Voor de griepcampagne verwachten we 600 patiënten. Graag 3 extra licenties Business Basic.", "+3 O365_BUSINESS_ESSENTIALS"),
    ("Graag 3 extra licenties Business Basic. Het juiste aantal weet ik pas eind september.", "ask quantity"),
    // "we zitten nu op 18 …, met lijn 2 worden dat er 25": today's count and the new one.
    ("We zitten nu op 18 Office 365 F3 voor de chauffeurs, met lijn 2 worden dat er 25. Lijn 1 (tablets) is niet voor jullie.", "+7 DESKLESSPACK"),
    // Numbers in brackets after a count of people say who they are.
    ("We hebben momenteel 6 licenties Exchange Online (Plan 1). Twee assistenten zijn vertrokken (één met pensioen, één verhuisd), dus 4 is genoeg.", "-2 EXCHANGESTANDARD"),
    // Which of the two products, said after the change; "I want nothing changed" beside a count.
    ("Graag 1 licentie extra op admin@kine.onmicrosoft.com. Wij hebben zowel MS365 Business Basic als MS365 Business Standard. Welke van de twee hij moet krijgen weet ik niet.", "ask product"),
    ("Een vraag over factuur 2026/031877. Daarop staan 14 licenties Business Standard, in februari waren het er nog 12. De 2 extra die we vroegen zijn correct, daar wil ik niets aan veranderen. Kunnen jullie dat even toelichten?", "none"),
    // People in closed compounds ("zorgleerkrachten", "seizoenarbeiders") are people.
    ("Wij hebben nu 25 licenties Microsoft 365 Business Standard en willen naar 28 gaan. Er komen drie nieuwe collega's bij: twee zorgleerkrachten en een kinderverzorgster.", "+3 O365_BUSINESS_PREMIUM"),
    ("De vijf Office 365 F3-licenties voor de seizoenarbeiders mogen allemaal weg, de pluk is gedaan.", "-5 DESKLESSPACK"),
    // "nog N" after today's count: the total when the mail removes, more when small, else ask.
    ("Wij hebben momenteel 22 licenties Office 365 F3. Drie chauffeurs zijn gestopt en de route valt weg, dus vanaf nu hebben we er nog 19 nodig.", "-3 DESKLESSPACK"),
    ("We hebben 10 licenties Business Basic. We hebben er nog 2 nodig voor de nieuwe chauffeurs.", "+2 O365_BUSINESS_ESSENTIALS"),
    ("We hebben 10 licenties Business Basic. We hebben er nog 8 nodig voor de nieuwe chauffeurs.", "ask quantity"),
    ("Kunnen jullie een nieuwe GDAP-aanvraag sturen voor onze klant? Aan de 12 licenties verandert er niets.", "none"),
    ("Hieronder de aanpassingen voor onze shops, telkens Microsoft 365 F3:\n\nShop\tAccount\tWijziging\nAalter\tadmin@aalter.onmicrosoft.com\t+1\nWetteren\tadmin@wetteren.onmicrosoft.com\t-1\n\nDe andere 9 shops blijven ongewijzigd.", "+1 SPE_F1 admin@aalter.onmicrosoft.com; -1 SPE_F1 admin@wetteren.onmicrosoft.com"),
    ("Voor winkel 12 graag 2 extra licenties Microsoft 365 F3.", "+2 SPE_F1"),
    ("Klant\tBeheeraccount\tProduct\tWijziging\nBloemenhuis Lavendel\tit@lavendel.onmicrosoft.com\tMicrosoft 365 Business Basic\t+3\nTandzorg Lindeboom\tadmin@lindeboom.onmicrosoft.com\tExchange Online (Plan 1)\t2x erbij", "+3 O365_BUSINESS_ESSENTIALS it@lavendel.onmicrosoft.com; +2 EXCHANGESTANDARD admin@lindeboom.onmicrosoft.com"),
    ("We zullen meer Microsoft 365 F3-licenties nodig hebben voor de nachtploeg, waarschijnlijk 6 tot 8, het exacte aantal moet ik nog bevestigen.", "ask quantity"),
    ("Product\tHuidig\tGewenst\nBusiness Standard\t12\t15\nBusiness Basic\t30\t25\n\nAchtergrond: de campus krijgt een nieuw secretariaat (840 leerlingen, 62 personeelsleden).", "+3 O365_BUSINESS_PREMIUM; -5 O365_BUSINESS_ESSENTIALS"),
    ("Graag één licentie Office 365 E3 minder. De andere E3-licenties en onze twee Power BI Pro-licenties blijven ongewijzigd.", "-1 ENTERPRISEPACK"),
    (under_ours!("Bedankt! Graag nog twee Exchange Online Plan 1 op hetzelfde account."), "+2 EXCHANGESTANDARD admin@kettenhof.onmicrosoft.com"),
    ("Graag 2 Business Basic licenties erbij. De 10 Business Standard licenties houden we zoals ze zijn.", "+2 O365_BUSINESS_ESSENTIALS"),
    ("Er mogen er twee af van de Exchange Online (Plan 1)-licenties op info@goethals.onmicrosoft.com.", "-2 EXCHANGESTANDARD info@goethals.onmicrosoft.com"),
    ("Het onderwerp klopt niet meer, het moeten er drie zijn in plaats van twee. Dus: 3 extra licenties Business Standard.", "+3 O365_BUSINESS_PREMIUM"),
    ("Voeg 3 licenties Business Standard toe. En haal er 3 licenties Business Standard af.", "ask contradiction"),
    ("Graag 2 licenties minder", "-2"),
    ("Kunnen jullie 3 licenties toevoegen?", "+3"),
    ("5x Business Standard erbij graag", "+5 O365_BUSINESS_PREMIUM"),
    ("We willen in totaal 25 licenties", "=25"),
    ("Graag van 10 naar 7 licenties", "-3"),
    ("We hebben er nu 14 Business Basic maar 11 is genoeg.", "-3 O365_BUSINESS_ESSENTIALS"),
    ("Graag het aantal Microsoft 365 F3 licenties aanpassen naar 35 in totaal (nu 31).", "+4 SPE_F1"),
    ("Graag 2 F3 licenties erbij.", "ask product"),
    ("Mag er nog eentje bij van de Business Standard op admin@x.onmicrosoft.com?", "+1 O365_BUSINESS_PREMIUM admin@x.onmicrosoft.com"),
    ("Bovenop de 3 van vorige week mogen er nog 2 Business Basic bij.", "+2 O365_BUSINESS_ESSENTIALS"),
    ("Graag 2 licenties Business Standard erbij en 1 licentie Business Basic eraf.", "+2 O365_BUSINESS_PREMIUM; -1 O365_BUSINESS_ESSENTIALS"),
    ("Vanaf 1 maart komen er drie nieuwe collega's bij. Eén van hen neemt de licentie over van Kurt. Voor de andere twee hebben we dus een nieuwe Business Premium licentie nodig.", "+2 SPB"),
    ("Graag 1 licentie Business Basic erbij. Onze gebruikersnaam is admin@x.onmicrosoft.com", "+1 O365_BUSINESS_ESSENTIALS admin@x.onmicrosoft.com"),
    ("Wij willen graag 1 licentie Business Basic opzeggen. Het account van de stagiair (stagiair@x.onmicrosoft.com) mag daarna weg.", "-1 O365_BUSINESS_ESSENTIALS"),
    ("Graag 2 extra licenties voor mijn account.", "+2 boss@contoso.be"),
    ("Graag 2 of 3 licenties erbij", "ask quantity"),
    ("Kunnen jullie het aantal licenties aanpassen aan de lijst in bijlage?", "ask quantity"),
    ("Bedankt, ik zie de 3 extra licenties staan. Top!", "none"),
    ("Hoe kan ik zelf een licentie toewijzen? We hebben er nog 2 vrij volgens het admin center.", "none"),
    ("Graag niet 3 maar 4 licenties erbij.", "+4"),
    ("Graag de licentie Microsoft 365 Apps for business van Claire opzeggen.", "-1 O365_BUSINESS"),
    ("Hoe wijs ik een licentie toe? En graag nog 2 licenties erbij.", "+2"),
    ("Mogen we naar in totaal 25 licenties?", "=25"),
    ("Kunt u mij zeggen of de 3 extra licenties al actief zijn?", "none"),
    ("Jullie factuur vermeldt 18 licenties Business Standard, terwijl we er 15 hebben. Graag een creditnota voor het verschil.", "none"),
    ("Graag twee E5-licenties opzeggen: de licenties van An en Bob (Microsoft 365 E5).", "-2 SPE_E5"),
    ("Sorry, mijn vorige mail klopte niet: we gaan terug naar 32 licenties Business Standard in totaal (niet 35).", "=32 O365_BUSINESS_PREMIUM"),
    ("Graag 2 extra licenties Business Standard voor de nieuwe collega's. Daarnaast mag er 1 licentie Business Standard af voor Piet, die vertrekt.", "+2 O365_BUSINESS_PREMIUM; -1 O365_BUSINESS_PREMIUM"),
    ("We hebben 3 Business Basic nodig voor de stagiairs.", "+3 O365_BUSINESS_ESSENTIALS"),
    ("Hierbij de getekende offerte, graag de 8 licenties activeren.", "+8"),
    ("De 3 licenties Business Basic voor de stagiairs werken niet, kunnen jullie kijken?", "none"),
    ("graag aanpassen:\n\nProduct                         Huidig Nodig\nMicrosoft 365 Business Standard 10     14", "+4 O365_BUSINESS_PREMIUM"),
    ("Eén collega komt toch niet: graag de licenties verlagen naar 12.", "=12"),
    ("Licenties Business Standard: 5", "ask direction"),
    ("Wij hebben momenteel 15 licenties maar hebben er maar 12 meer nodig.", "-3"),
    ("We hadden voor hen 4 extra licenties genomen: alle 4 mogen weg.", "-4"),
    ("Gaan we van 95 naar 90 licenties Microsoft 365 F3. Facturatie blijft naar boekhouding@x.be<mailto:boekhouding@x.be>.", "-5 SPE_F1"),
];

const DE: &[Row] = &[
    ("Bitte fügen Sie 4 Lizenzen Business Premium hinzu.\n\nNachtrag 14:20: Ich habe gerade mit unserem Geschäftsführer gesprochen – bitte doch nur 2 statt 4.", "+2 SPB"),
    ("Wir haben 12 Lizenzen im Jahresvertrag und überlegen, auf 9 zu gehen. Geht das überhaupt mitten in der Laufzeit?", "none"),
    ("Da ist etwas schiefgelaufen: die 3 Lizenzen waren für unsere Schwesterfirma gedacht. Bitte setzen Sie admin@becker.onmicrosoft.com wieder auf 15 Lizenzen zurück.", "=15 admin@becker.onmicrosoft.com"),
    ("Unser Kollege aus der Niederlassung Hasselt hat mir Folgendes geschrieben:\n\n„Kunnen jullie er twee licenties Microsoft 365 Business Basic bijzetten voor de nieuwe stagiairs?“\n\nBitte setzen Sie das so um.\nKonto: admin@heinen.onmicrosoft.com", "+2 O365_BUSINESS_ESSENTIALS admin@heinen.onmicrosoft.com"),
    ("Eine kurze Frage, bevor wir etwas bestellen: Ist in Microsoft 365 Business Premium Intune enthalten? Wir überlegen, unsere 8 Lizenzen Business Standard im Frühjahr umzustellen.", "none"),
    ("Auf der Rechnung werden uns 12 x Microsoft 365 Business Standard à 11,70 EUR berechnet. Sie hatten uns aber bestätigt, dass wir auf 10 reduziert wurden. Können Sie das bitte prüfen und uns eine Gutschrift über die 2 Lizenzen schicken?", "none"),
    ("Sie haben 3 Lizenzen hinzugefügt, wir wollten aber nur 2. Bitte 2 wieder entfernen.", "ask contradiction"),
    ("Sie haben 3 Lizenzen hinzugefügt, wir wollten aber nur 2. Bitte 1 wieder entfernen.", "-1"),
    ("Bitte die Lizenzen Microsoft 365 Business Premium anpassen: bisher 6, neu 8 (die zwei neuen Architektinnen ab Januar).", "+2 SPB"),
    ("Bitte die gestern hinzugefügten 2 Lizenzen auf admin@x.onmicrosoft.com rückgängig machen.", "-2 admin@x.onmicrosoft.com"),
    ("Ich hatte gestern 3 Lizenzen bestellt. Das war leider falsch, wir brauchen 4.", "ask quantity"),
    // blind20: "Auf 7." under our "Auf welche Gesamtzahl …?", the product from our mail.
    ("Auf 7.\n>>>\n> Am 03.12.2026 um 13:40 schrieb Webservices <webservices@reseller.test>:\n> Sie möchten die Lizenzen für praxis@pb.onmicrosoft.com reduzieren. Derzeit haben Sie 10 Lizenzen Microsoft 365 Business Basic.\n>\n> Auf welche Gesamtzahl sollen wir reduzieren?", "=7 O365_BUSINESS_ESSENTIALS praxis@pb.onmicrosoft.com"),
    // "Neuer Bestand" is the wanted count; with today's and a change that do not add up, ask.
    ("bitte passen Sie unseren Lizenzbestand wie folgt an:\n\nMandant: admin@sl.onmicrosoft.com\nProdukt: Microsoft 365 Business Basic\nAktuell: 10\nÄnderung: +3\nNeuer Bestand: 15", "ask contradiction"),
    ("Nein, bitte nichts ändern. Die 5 Lizenzen sind für die Azubis, die im Februar anfangen.", "none"),
    ("wir haben aktuell 20 Lizenzen Office 365 E3. Ab Januar brauchen wir nur noch 16, da die Baustelle in Köln abgeschlossen ist. Bitte entsprechend reduzieren.\nMandant: admin@sb.onmicrosoft.com\nFalls eine Reduzierung erst zum Ende der Laufzeit möglich ist, geben Sie mir bitte kurz Bescheid.", "-4 ENTERPRISEPACK admin@sb.onmicrosoft.com"),
    ("zu unseren bestehenden 10 Lizenzen bräuchten wir bitte 2 zusätzliche, ab sofort. Konto: praxis@sp.onmicrosoft.com", "+2 praxis@sp.onmicrosoft.com"),
    ("wir haben im Moment 10 Lizenzen und brauchen ab Januar ungefähr 15, genaue Zahl kommt noch vom Chef. Können Sie schon mal was vorbereiten?\nKonto: admin@be.onmicrosoft.com", "ask quantity"),
    ("derzeit haben wir zweiundzwanzig Lizenzen Microsoft 365 Business Premium. Nach dem Abgang von vier Mitarbeiterinnen im Jänner benötigen wir ab Februar nur mehr achtzehn.", "-4 SPB"),
    // "noch 3 freie": still free, not three more.
    ("Es sind noch 3 freie Lizenzen im Tenant. Habt ihr eine Idee, woran das liegt?", "none"),
    // A state table from the admin centre, and the free ones removed.
    ("Produkt                              Verfügbar   Zugewiesen\nMicrosoft 365 Business Premium            0           25\nMicrosoft 365 Apps for business           3            7\nBei Business Premium sind wir voll, bitte 2 dazubuchen. Die 3 freien Apps-for-business-Lizenzen werden nicht mehr gebraucht, die können weg.", "+2 SPB; -3 O365_BUSINESS"),
    ("Bitte 2 zusätzliche Lizenzen Office 365 F3. Falls die erste Mail doch angekommen ist: bitte nur einmal buchen, also insgesamt 2.", "+2 DESKLESSPACK"),
    ("Nach der Saison (Gewächshaus 1 bis 3) bitte die Exchange Online (Plan 2) Lizenzen auf insgesamt acht setzen.", "=8 EXCHANGEENTERPRISE"),
    // blind17: "Welches Abo das bei Ihnen ist, weiß ich nicht": the product is open.
    ("Bitte fügen Sie unserem Konto 5 Teams-Lizenzen hinzu. Welches Abo das bei Ihnen ist, weiß ich ehrlich gesagt nicht.", "ask product"),
    // blind16: "je eine Lizenz" is one each; "4 freie Tragwerksplaner" are freelancers, no free seats.
    ("Ab Juni holen wir 4 freie Tragwerksplaner ins Team. Die brauchen je eine Lizenz Microsoft 365 E3.", "+4 SPE_E3"),
    // "Amt 40", "Art. 30 DSGVO" are labelled numbers (and "Art." ends no sentence); a need of
    // "eine Bestätigung" is no need of seats, for "unserer 212 Postfächer" either.
    ("Der Schulträger (Stadt Eichenau, Amt 40) hat die Erweiterung genehmigt: Wir möchten die Lizenzen Microsoft 365 Apps for enterprise von derzeit 30 auf 34 erhöhen.", "+4 OFFICESUBSCRIPTION"),
    ("Für unser Verzeichnis nach Art. 30 DSGVO benötigen wir eine Bestätigung, dass die Daten unserer 212 Postfächer (Mandant admin@kreis.onmicrosoft.com) in der EU gespeichert werden.", "none"),
    ("Wir benötigen eine zusätzliche Business Basic Lizenz auf it@acme.be.", "+1 O365_BUSINESS_ESSENTIALS it@acme.be"),
    ("Zwei neue Kollegen brauchen eine Lizenz Business Standard für it@firma.de.", "+2 O365_BUSINESS_PREMIUM it@firma.de"),
    // blind15: "sie braucht eine Lizenz" (third person) asks one.
    ("Ab dem 1. Oktober arbeitet Frau Albers bei uns. Sie braucht eine Lizenz Exchange Online (Plan 1).", "+1 EXCHANGESTANDARD"),
    ("Bitte insgesamt 5 Lizenzen Business Basic für it@firma.de hinzufügen.", "+5 O365_BUSINESS_ESSENTIALS it@firma.de"),
    ("Bitte auf insgesamt 5 Lizenzen Business Basic für it@firma.de erhöhen.", "=5 O365_BUSINESS_ESSENTIALS it@firma.de"),
    ("Bitte 3 Business Basic für it@firma.de hinzufügen. Korrektur: 3 Business Standard, nicht Basic.", "+3 O365_BUSINESS_PREMIUM it@firma.de"),
    // Not corrections: "sorry, and also 1 more" is a further change; "3 mehr" after today's count is
    // three more; "er worden er 3 overbodig" is no wanted total.
    ("Wir haben 12 Lizenzen im Moment und brauchen 3 mehr.", "+3"),
    ("Wir haben 20 Lizenzen Office 365 E3. 3 Lizenzen werden ab März nicht mehr benötigt.", "-3 ENTERPRISEPACK"),
    // blind14: "genügen künftig 15" is the wanted total; "die nötigen / fehlenden Lizenzen" are one
    // per person counted, less "einer der vier" / "einer von ihnen" who takes over one.
    ("Unsere Niederlassung hat derzeit 18 Lizenzen Exchange Online (Plan 1). Nach der Zusammenlegung genügen künftig 15.", "-3 EXCHANGESTANDARD"),
    ("Vier externe Ingenieure verstärken uns. Bitte fügen Sie die nötigen Lizenzen Office 365 E3 hinzu. Einer der vier übernimmt die Lizenz von Herrn Brandt.", "+3 ENTERPRISEPACK"),
    ("Drei neue Mitarbeiter fangen am 1. Dezember an. Einer von ihnen übernimmt die Lizenz von Herrn Schmitt. Bitte fügen Sie die fehlenden Lizenzen Microsoft 365 Business Premium hinzu.", "+2 SPB"),
    // blind14: "Bitte also nur 3 entfernen", "Nachtrag: doch nur 3", "18 – halt, Moment: 19" correct
    // the change; "zwei Praktikanten bleiben" is people, no total; "ignorieren Sie meine Mail" withdraws.
    ("Bitte 5 Lizenzen Microsoft 365 Business Basic entfernen.\nKleine Korrektur: zwei Praktikanten bleiben länger. Bitte also nur 3 entfernen.", "-3 O365_BUSINESS_ESSENTIALS"),
    ("Bitte 4 Lizenzen Office 365 F3 hinzufügen.\nNachtrag: doch nur 3, der vierte Polier kommt erst im Frühjahr.", "+3 DESKLESSPACK"),
    ("Wir haben aktuell 22 Lizenzen Office 365 E3 und brauchen ab Januar nur noch 18 – halt, Moment: 19. Bitte also von 22 auf 19 reduzieren.", "-3 ENTERPRISEPACK"),
    ("Bitte ignorieren Sie meine vorherige Mail, es muss sich nichts ändern.", "none"),
    // blind13: "jeweils eine Lizenz" counts the people less those who take over one ("Eine
    // davon übernimmt …"); "8 Benutzer von X auf Y umstellen" moves them (no account in words);
    // "0 von 20" is a state; "unseren Zugang" names the account.
    ("Konto: admin@x.onmicrosoft.com\nAb Montag haben wir 3 neue Mitarbeiter.\nSie brauchen jeweils eine Lizenz Business Standard.", "+3 O365_BUSINESS_PREMIUM admin@x.onmicrosoft.com"),
    ("Zum 1. Oktober starten drei neue Kollegen. Eine davon, Frau Aydin, übernimmt die Lizenz von Herrn Claes.\nFür die beiden anderen benötigen wir jeweils eine zusätzliche Lizenz Microsoft 365 E3 auf unserem Tenant it@x.onmicrosoft.com.", "+2 SPE_E3 it@x.onmicrosoft.com"),
    ("bitte stellen Sie 8 Benutzer von Microsoft 365 Business Premium auf Microsoft 365 E3 um (also 8 x Business Premium weniger, 8 x M365 E3 mehr).\nTenant: admin@x.onmicrosoft.com", "-8 SPB admin@x.onmicrosoft.com; +8 SPE_E3 admin@x.onmicrosoft.com"),
    ("laut Admin Center sind alle Lizenzen vergeben:\nMicrosoft 365 E3\t0 von 20\t20\n\nBitte 2 weitere Microsoft 365 E3 dazubuchen.\nBenutzername: it@x.onmicrosoft.com", "+2 SPE_E3 it@x.onmicrosoft.com"),
    ("bitte 5 Lizenzen Microsoft 365 Apps for business für unseren Zugang boss@contoso.be hinzufügen.\nKorrektur: es reichen 3. Also bitte nur 3 zusätzliche, nicht 5.", "+3 O365_BUSINESS boss@contoso.be"),
    ("Bitte 3 Lizenzen Business Basic entfernen, die anderen zwei später.", "-3 O365_BUSINESS_ESSENTIALS"),
    // blind12: a signed number after an account's address is its change; "reichen uns 19" is the
    // wanted total; an open product beside an advice question asks the product.
    ("bitte folgende Änderungen, jeweils Microsoft 365 Business Basic:\n\npraxis@physio.be: +2\nverwaltung@physio.be: -1", "+2 O365_BUSINESS_ESSENTIALS praxis@physio.be; -1 O365_BUSINESS_ESSENTIALS verwaltung@physio.be"),
    ("Derzeit haben wir 25 Lizenzen Microsoft 365 E5 auf dem Konto it@stadtwerke.de. Nach der Ausgliederung reichen uns 19 Lizenzen. Bitte passen Sie die Anzahl entsprechend an.", "-6 SPE_E5 it@stadtwerke.de"),
    ("für unser Konto admin@theissen.onmicrosoft.com brauchen wir 3 Lizenzen mehr, Business Standard oder Business Premium. Was empfehlen Sie für eine Werkstatt?", "ask product"),
    ("Bitte 5 zusätzliche Lizenzen Microsoft 365 Business Standard buchen. Korrektur, ich habe gerade mit der Werksleitung gesprochen: bitte nur 4.", "+4 O365_BUSINESS_PREMIUM"),
    ("bitte für mein Konto noch eine Lizenz Microsoft 365 E3 dazu – ich brauche die Desktop-Apps (Schulprojekt St. Vith, Los 2).", "+1 SPE_E3 boss@contoso.be"),
    ("für die neue Jugendabteilung (bisher 35 Anmeldungen) brauchen wir zusätzliche Lizenzen Microsoft 365 Business Basic. Die genaue Anzahl bestätige ich Ihnen nach der Vorstandssitzung am 18.11.", "ask quantity"),
    // "ab April 9": a day-first language means a count after "from <month>".
    // A reply that corrects the writer's own earlier mail: the date "13.01." ends no sentence.
    ("kleine Änderung zu meiner Mail unten (die drei Lizenzen wurden am 13.01. bestätigt, danke): Das Praktikum von Herrn Bernardi endet bereits am 31.03.2026. Bitte reduzieren Sie deshalb die Anzahl unserer Lizenzen Microsoft 365 E3 um eine.", "-1 SPE_E3"),
    ("Dazu zwei Fragen: Benötigt ein freigegebenes Postfach eine eigene Lizenz? An der Anzahl der Lizenzen möchten wir vorerst nichts ändern.", "none"),
    // "meinem Admin-Konto - also genau der Adresse, von der diese Mail kommt": the sender's.
    ("bitte auf meinem Admin-Konto - also genau der Adresse, von der diese Mail kommt - eine weitere Lizenz Microsoft 365 E5 hinzufügen.", "+1 SPE_E5 boss@contoso.be"),
    // The change of last week, reported in a sentence of its own, is no change now.
    ("die 3 Lizenzen von letzter Woche sind angekommen, danke. Eine Aushilfe hat aber doch abgesagt: bitte wieder eine Lizenz Business Basic weniger auf admin@brandt.onmicrosoft.com.", "-1 O365_BUSINESS_ESSENTIALS admin@brandt.onmicrosoft.com"),
    // "Bitte nicht 10 bestellen!" refuses the 10. The form under the note still says 10: the
    // mail asks (taking the refused number back everywhere in the mail made a wrong change on
    // unseen mail, and was withdrawn).
    ("Wir brauchen nur 1 zusätzliche Lizenz Exchange Online (Plan 2). Bitte nicht 10 bestellen!", "+1 EXCHANGEENTERPRISE"),
    ("Achtung, in der Anforderung unten steht Menge 10 – das ist ein Tippfehler. Wir brauchen nur 1 zusätzliche Lizenz Exchange Online (Plan 2). Bitte nicht 10 bestellen!\n\nArtikel: Exchange Online (Plan 2)\nMenge: 10\nEinzelpreis: 6,80 € / Monat\nKonto: m365-admin@ostermann.de", "ask contradiction"),
    ("Wir haben derzeit 7 Lizenzen Microsoft 365 Business Standard und benötigen ab April 9.", "+2 O365_BUSINESS_PREMIUM"),
    // What is left, without today's count that it would be taken from.
    ("Bitte eine Lizenz Business Standard kündigen (wir haben 19, dann bleiben 18).", "ask quantity"),
    ("Die 3 Lizenzen Microsoft 365 Business Basic unserer Praktikanten können Ende Juni weg.", "-3 O365_BUSINESS_ESSENTIALS"),
    ("Könnt ihr bitte eine neue GDAP-Anfrage mit den Rollen Exchange-Administrator und Lizenzadministrator schicken, um die 12 vorhandenen Lizenzen zuzuweisen? An der Lizenzanzahl ändert sich nichts.", "none"),
    ("Ich bitte Sie daher, für mein Konto eine Lizenz Microsoft 365 E5 hinzuzufügen.", "+1 SPE_E5 boss@contoso.be"),
    ("Bitte buchen Sie auf meinem Konto eine weitere Lizenz Exchange Online (Plan 1) dazu. Die Lizenz ist für das neue Sammelpostfach lohn@bau-heinen.be.", "+1 EXCHANGESTANDARD boss@contoso.be"),
    ("Wir haben derzeit 30 Lizenzen Microsoft 365 Business Standard. Nach dem Ruhestand zweier Kollegen und dem Ende der Weiterbildung von zwei Assistenzärzten benötigen wir nur noch 26 – bitte von 30 auf 26 reduzieren.", "-4 O365_BUSINESS_PREMIUM"),
    ("Wir brauchen für die Nachtschicht mehr Microsoft 365 F3 Lizenzen, wahrscheinlich 6 bis 8, die genaue Anzahl muss ich noch bestätigen.", "ask quantity"),
    ("Bitte eine Lizenz Office 365 E3 entfernen. Die übrigen E3-Lizenzen und unsere zwei Power BI Pro bleiben unverändert.", "-1 ENTERPRISEPACK"),
    (under_ours!("Danke! Bitte noch zwei weitere Exchange Online Plan 1 auf demselben Konto wie unten."), "+2 EXCHANGESTANDARD admin@kettenhof.onmicrosoft.com"),
    (under_ours!("Bitte noch zwei Exchange Online Plan 1 für dasselbe Konto."), "+2 EXCHANGESTANDARD admin@kettenhof.onmicrosoft.com"),
    ("Bitte 2 Business Basic Lizenzen dazu. Die 10 Business Standard Lizenzen bitte unverändert lassen.", "+2 O365_BUSINESS_ESSENTIALS"),
    ("Seit Sie unsere Lizenzen letzte Woche auf 15 erhöht haben, ist Outlook bei 4 Kolleginnen extrem langsam. Können Sie sich das ansehen?", "none"),
    ("Bitte zwei weitere Lizenzen", "+2"),
    ("Wir brauchen keine 2 Lizenzen mehr", "-2"),
    ("Bitte auf 12 Lizenzen erhöhen", "=12"),
    ("bitte unsere Lizenzen auf insgesamt 20 erhöhen", "=20"),
    ("Bitte fügen Sie 4 Lizenzen Business Standard hinzu. Also insgesamt 4 zusätzliche Lizenzen.", "+4 O365_BUSINESS_PREMIUM"),
    ("von 10 auf 15 Lizenzen bitte", "+5"),
    ("Wir haben 30 Lizenzen Microsoft 365 E3, bitte 30 auf 26 reduzieren.", "-4 SPE_E3"),
    ("Bitte nicht 3 sondern 4 weitere Lizenzen.", "+4"),
    ("Konto: admin@praxis.onmicrosoft.com\nProdukt: Exchange Online Plan 1\nAnzahl: -2", "-2 EXCHANGESTANDARD admin@praxis.onmicrosoft.com"),
    ("Bitte eine weitere Lizenz Business Basic für mein Konto.", "+1 O365_BUSINESS_ESSENTIALS boss@contoso.be"),
    ("Bitte 3 oder 4 Lizenzen mehr", "ask quantity"),
    ("Für die Erntesaison brauchen wir ungefähr zehn zusätzliche Lizenzen Microsoft 365 F3.", "ask quantity"),
    ("Danke, die 3 zusätzlichen Lizenzen wurden hinzugefügt.", "none"),
    ("Wie weise ich eine Lizenz zu? Wir haben 2 weitere Lizenzen bekommen.", "none"),
    ("Bitte erhöhen Sie die Anzahl unserer Business Standard Lizenzen auf 12. Zum 1. Februar beginnen zwei neue Kollegen.", "=12 O365_BUSINESS_PREMIUM"),
    ("Bitte 3 Lizenzen Microsoft 365 Business Premium hinzufügen und 3 Lizenzen Microsoft 365 Business Standard entfernen. Ihr Angebot sah noch 5 vor, wir fangen aber mit 3 an.", "+3 SPB; -3 O365_BUSINESS_PREMIUM"),
    ("Bitte die Lizenz Microsoft 365 Apps for business von Claire kündigen.", "-1 O365_BUSINESS"),
    ("Guten Morgen,\nbitte die Microsoft 365 Apps for buisness auf dreiundzwanzig Lizenzen erhöhen. Danke!", "=23 O365_BUSINESS"),
    ("Bitte 2 weitere Lizenzen Microsoft 365 Apps für Unternehmen.", "+2 O365_BUSINESS"),
    ("Bitte eine weitere Lizenz Business Basic. Benutzername: admin@x.onmicrosoft.com", "+1 O365_BUSINESS_ESSENTIALS admin@x.onmicrosoft.com"),
    ("Können wir 2 weitere Lizenzen bekommen?", "+2"),
    ("Ihr Konto und alle 12 Lizenzen werden in 48 Stunden gesperrt, wenn Sie Ihre Daten nicht bestätigen.", "none"),
    ("Bitte 2 Lizenzen Business Standard für die neuen Kolleginnen hinzufügen. Außerdem bitte 1 Lizenz Business Standard entfernen.", "+2 O365_BUSINESS_PREMIUM; -1 O365_BUSINESS_PREMIUM"),
    ("3x Exchange Online Plan 1 bitte.", "+3 EXCHANGESTANDARD"),
    ("Wir benötigen 3 Business Basic für die Aushilfen.", "+3 O365_BUSINESS_ESSENTIALS"),
    ("Anbei das unterschriebene Angebot. Bitte die 6 Lizenzen aktivieren.", "+6"),
    ("bitte wie folgt anpassen:\n\nProdukt\tIst\tSoll\nBusiness Standard\t8\t10", "+2 O365_BUSINESS_PREMIUM"),
];

const SV: &[Row] = &[
    ("Hej, några nya kollegor behöver en licens. Hälsningar", "ask quantity"),
    ("En fråga innan vi beställer något: ingår Intune i Business Premium? Vi funderar på att byta våra 8 licenser Business Standard i vår.", "none"),
    ("Ungefär 5–6 stycken, det beror på hur många konsulter vi tar in efter nyår. Räcker det som besked?\n>>>\nFrom: Webservices <webservices@reseller.test>\n\nHur många licenser vill du lägga till på admin@x.onmicrosoft.com?", "ask quantity"),
    ("Vi har 10 nu. Kan ni sänka till 8?", "-2"),
    ("Ni lade till 4 licenser men vi ville bara ha 2. Ta bort 1.", "ask contradiction"),
    ("Vi är fortfarande inom 7 dagar efter köpet, så kan ni ångra gårdagens +5 Microsoft 365 Business Basic på admin@x.onmicrosoft.com?", "-5 O365_BUSINESS_ESSENTIALS admin@x.onmicrosoft.com"),
    ("I går bad jag om 2 licenser. Det var fel, kan ni lägga till 3 licenser?", "ask contradiction"),
    ("Nej, ändra ingenting. De 5 licenserna är till praktikanterna som börjar i februari.", "none"),
    ("Här kommer ändringarna för båda bolagen:\nNordvik Bygg AB – admin@nb.onmicrosoft.com\n  * Microsoft 365 Business Standard: +3\nNordvik Fastigheter AB – admin@nf.onmicrosoft.com\n  * Microsoft 365 Business Standard: ta bort 1", "+3 O365_BUSINESS_PREMIUM admin@nb.onmicrosoft.com; -1 O365_BUSINESS_PREMIUM admin@nf.onmicrosoft.com"),
    ("Inför nästa säsong behöver vi justera Business Basic-licenserna i våra två organisationer:\nSeglarskolan AB – admin@sk.onmicrosoft.com\nLägg till 2 licenser (två nya instruktörer på heltid).\nStiftelsen – admin@st.onmicrosoft.com\nTa bort 1 licens, kassören har avgått.", "+2 O365_BUSINESS_ESSENTIALS admin@sk.onmicrosoft.com; -1 O365_BUSINESS_ESSENTIALS admin@st.onmicrosoft.com"),
    // "one of the new drivers" picks one out of a group; "ta bort en licens" still counts one.
    ("Det visade sig att en av de nya chaufförerna inte börjar ändå, så ta bort en licens igen.", "-1"),
    ("Vad skulle det kosta att byta våra 6 licenser från Business Standard till Business Premium? Vi vill inte ändra något ännu, jag behöver bara ett pris till budgetmötet.", "none"),
    ("Vi har 10 licenser Microsoft 365 Business Standard idag och behöver 12 efter nyår. Kontot är admin@malmfastighet.onmicrosoft.com.", "+2 O365_BUSINESS_PREMIUM admin@malmfastighet.onmicrosoft.com"),
    // "står det fortfarande 14": today's count.
    ("I portalen står det fortfarande 14 licenser Microsoft 365 Apps for business. 11 räcker för oss.", "-3 O365_BUSINESS"),
    // blind17: "2 st. E3 till och 2 st. E1 bort": "till" ends its clause.
    ("Kan ni flytta dem från Office 365 E1 till Office 365 E3? Alltså 2 st. E3 till och 2 st. E1 bort.", "+2 ENTERPRISEPACK; -2 STANDARDPACK"),
    // blind16: "för mycket" is too much, like "för många".
    ("Vi har en Exchange Online (Plan 1)-licens för mycket sedan bokbussen lades ner. Kan ni ta bort den?", "-1 EXCHANGESTANDARD"),
    ("Två nya kollegor behöver en licens Business Standard på it@firma.se.", "+2 O365_BUSINESS_PREMIUM it@firma.se"),
    // One who starts beside two who leave: not -2 (the "en" was no number beside "två").
    ("Vi har 8 licenser Business Basic på it@firma.se. Två slutar i juni och en börjar i augusti.", "ask contradiction"),
    // blind15: "lägg till totalt 10" adds ten ("till" is the verb's); "öka till totalt 10" is the total.
    ("Lägg till totalt 10 licenser Office 365 F3 på konto it@firma.se.", "+10 DESKLESSPACK it@firma.se"),
    ("Öka till totalt 10 licenser Office 365 F3 på konto it@firma.se.", "=10 DESKLESSPACK it@firma.se"),
    ("Lägg till 3 Business Standard för it@firma.se.\nMvh\nJan\n\nPS. Gör det 4 istället.", "+4 O365_BUSINESS_PREMIUM it@firma.se"),
    ("Lägg till 5 licenser Business Standard för it@firma.se. Rättelse: 5 Business Premium.", "+5 SPB it@firma.se"),
    // blind14: "det ska vara 2, inte 3" renumbers the change before 3 is taken back.
    ("Vänligen ta bort 3 licenser från it@x.onmicrosoft.com.\nFörlåt, jag räknade fel – det ska vara 2, inte 3.", "-2 it@x.onmicrosoft.com"),
    // blind14: "nej förresten, bara 3", "liten rättelse … ta alltså bara bort 3" correct the change;
    // "bortse från mitt förra mejl" withdraws.
    ("Lägg till 4 licenser Business Standard. Nej förresten, bara 3.", "+3 O365_BUSINESS_PREMIUM"),
    ("Ta bort 5 licenser Microsoft 365 Business Basic.\nLiten rättelse: två praktikanter stannar kvar. Ta alltså bara bort 3.", "-3 O365_BUSINESS_ESSENTIALS"),
    ("Bortse från mitt förra mejl, ingenting behöver ändras.", "none"),
    // blind13: "var sin licens" counts the people; "flytta från X till Y" moves them.
    ("Konto: admin@x.onmicrosoft.com\nVi får 3 nya medarbetare på måndag.\nDe behöver var sin licens Business Standard.", "+3 O365_BUSINESS_PREMIUM admin@x.onmicrosoft.com"),
    ("Kan ni flytta 4 användare från Microsoft 365 Business Standard till Microsoft 365 Business Premium på admin@x.onmicrosoft.com?", "-4 O365_BUSINESS_PREMIUM admin@x.onmicrosoft.com; +4 SPB admin@x.onmicrosoft.com"),
    ("Idag har vi 8 licenser Exchange Online (Plan 2). Från 1 mars behöver vi 10, eftersom två nya reportrar börjar.", "+2 EXCHANGEENTERPRISE"),
    ("Vi har i dag 10 licenser för Exchange Online (Plan 2), men efter omorganisationen räcker det med 8. Kan ni ta bort de överflödiga?", "-2 EXCHANGEENTERPRISE"),
    ("Elin tar över Johans licens, så vi behöver bara en ny Microsoft 365 Business Standard-licens.", "+1 O365_BUSINESS_PREMIUM"),
    ("Vi har idag 6 licenser Microsoft 365 Business Standard och vill ha 9 från den 1 april, när tre nya ingenjörer börjar hos oss. ArchiCAD-licenserna (5 st) sköter vi själva, så dem behöver ni inte röra.", "+3 O365_BUSINESS_PREMIUM"),
    ("På måndag börjar tre nya arbetsledare på bygge 12. En av dem tar över Peters Microsoft 365 Business Premium-licens, de andra behöver nya licenser.", "+2 SPB"),
    ("Vi vill byta till autogiro för våra 3 kunder. Det ändrar ingenting i antalet licenser (24 totalt).", "none"),
    ("Kontot admin@holmensbageri.onmicrosoft.com behöver 3 st till av Microsoft 365 Apps för företag (kassan + två i bageriet).", "+3 O365_BUSINESS admin@holmensbageri.onmicrosoft.com"),
    ("Vi behöver fler Microsoft 365 F3-licenser till nattskiftet, troligen 6 till 8, jag måste fortfarande bekräfta antalet.", "ask quantity"),
    ("Ta bort en licens Office 365 E3. Övriga E3-licenser och våra två Power BI Pro förblir oförändrade.", "-1 ENTERPRISEPACK"),
    (under_ours!("Tack! Lägg till två Exchange Online Plan 1 till på samma konto."), "+2 EXCHANGESTANDARD admin@kettenhof.onmicrosoft.com"),
    ("Lägg till 2 Business Basic-licenser. Vi behåller de 10 Business Standard-licenserna som de är.", "+2 O365_BUSINESS_ESSENTIALS"),
    ("Kan ni ta bort 2 licenser?", "-2"),
    ("Kan ni lägga till tre licenser?", "+3"),
    ("Vi vill ha totalt 20 licenser", "=20"),
    ("från 10 till 15 licenser tack", "+5"),
    ("Vi behöver två till, tack.", "+2"),
    ("Hej, vi behöver ett dussin till Office 365 F3-licenser för lagret. Tack!", "+12 DESKLESSPACK"),
    ("Vi har 10 Exchange Online Plan 1 idag och behöver 14.", "+4 EXCHANGESTANDARD"),
    ("Vi får tre nya medarbetare. En av dem tar över licensen från Karin, så vi behöver licenser för de andra två: Business Standard.", "+2 O365_BUSINESS_PREMIUM"),
    ("Konto: admin@vasa.onmicrosoft.com\nAntal: +3\nProdukt: Microsoft 365 E3", "+3 SPE_E3 admin@vasa.onmicrosoft.com"),
    ("Kan ni lägga till 2 licenser Business Standard och ta bort 1 licens Business Basic?", "+2 O365_BUSINESS_PREMIUM; -1 O365_BUSINESS_ESSENTIALS"),
    ("Vi behöver 3 eller 4 licenser till", "ask quantity"),
    ("Till hösten behöver vi ett tiotal nya Business Basic-licenser.", "ask quantity"),
    ("Tack, de 3 extra licenserna har lagts till.", "none"),
    ("Hur tilldelar jag en licens? Vi fick 2 licenser till förra veckan.", "none"),
    ("Lägg till inte 3 utan 4 licenser.", "+4"),
    ("Kan ni öka till 15 licenser?", "=15"),
    ("Vi vill gå från 10 till 15 licenser", "+5"),
    ("Kan ni ta bort licensen Microsoft 365 Apps for business för Claire?", "-1 O365_BUSINESS"),
    ("Kan ni lägga till 2 licenser Microsoft 365-appar för företag?", "+2 O365_BUSINESS"),
    ("Lägg till en licens Business Basic. Användarnamn: admin@x.onmicrosoft.com", "+1 O365_BUSINESS_ESSENTIALS admin@x.onmicrosoft.com"),
    ("Får vi 2 licenser till?", "+2"),
    ("Vi behöver 4 nya Office 365 F3 till lagret. Office 365 F3 x4.", "+4 DESKLESSPACK"),
    ("Kan ni lägga till 3 Business Basic för de nya säljarna? Och ta bort 1 Business Basic för Johan som slutar.", "+3 O365_BUSINESS_ESSENTIALS; -1 O365_BUSINESS_ESSENTIALS"),
    ("Kan ni beställa tio Office 365 F3 till sommarjobbarna?", "+10 DESKLESSPACK"),
    ("Vi behöver tio till Office 365 F3 för sommarjobbarna.", "+10 DESKLESSPACK"),
    ("Här kommer den signerade offerten. Kan ni aktivera de 8 licenserna?", "+8"),
    ("En person börjar inte ändå, kan ni minska licenserna till 12?", "=12"),
    ("Produkt | Nuvarande | Önskat\nBusiness Standard | 8 | 10", "+2 O365_BUSINESS_PREMIUM"),
];

/// What `understand` reads in `text`, in the notation of the tables.
fn read(text: &str, lang: Language) -> String {
    let (text, quoted) = text.split_once(QUOTED).unwrap_or((text, ""));
    let u = understand(
        &Input { text, subject: None, sender: Some("boss@contoso.be"), lang: Some(lang), quoted },
        &Catalog::builtin(),
    );
    if let Some((ask, _)) = u.problem {
        return format!("ask {}", ask.as_str());
    }
    if u.items.is_empty() || u.not_ours.is_some() {
        return "none".into();
    }
    u.items
        .iter()
        .map(|i| {
            let mut s = match i.change {
                Change::Delta(d) if d > 0 => format!("+{d}"),
                Change::Delta(d) => d.to_string(),
                Change::Target(t) => format!("={t}"),
            };
            for part in [&i.product, &i.username].into_iter().flatten() {
                s.push(' ');
                s.push_str(part);
            }
            s
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn check(rows: &[Row], lang: Language) {
    let wrong: Vec<String> = rows
        .iter()
        .filter_map(|(text, want)| {
            let got = read(text, lang);
            (got != *want).then(|| format!("  {text:?}\n    want {want}\n    got  {got}"))
        })
        .collect();
    assert!(wrong.is_empty(), "{} of {} {lang:?} phrases read otherwise:\n{}", wrong.len(), rows.len(), wrong.join("\n"));
}

#[test]
fn english() {
    check(EN, Language::En);
}

#[test]
fn french() {
    check(FR, Language::Fr);
}

#[test]
fn dutch() {
    check(NL, Language::Nl);
}

#[test]
fn german() {
    check(DE, Language::De);
}

#[test]
fn swedish() {
    check(SV, Language::Sv);
}

#[test]
fn every_ask_has_a_row() {
    let all: Vec<&str> = [EN, FR, NL, DE, SV].iter().flat_map(|t| t.iter().map(|(_, w)| *w)).collect();
    for ask in [Ask::Quantity, Ask::Direction, Ask::Product, Ask::Contradiction, Ask::Username] {
        assert!(all.contains(&format!("ask {}", ask.as_str()).as_str()), "no phrase asks {ask:?}");
    }
}
