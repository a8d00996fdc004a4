"""Plays the demo day through, so a new user sees a finished day rather than an empty one.

``fill_scored_day`` takes the day ``create_demo`` planned and runs it as a centre would:
the assessors check each candidate in, run the clock (with the candidate's extra time,
a few phases running over and one pause), jot evidence notes as they watch, hand the
workstation to the candidate for the written exercise, then score every criterion,
give a judgement per station and submit. It uses only the public services, so every
permission, audit entry and timing rule applies exactly as in real use.

It is deterministic: the same demo gives the same day, note for note.
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from importlib import resources

from db.engine import Database
from naas_centre.errors import Conflict, UserError
from naas_centre.packs.outcome_adapter import evaluate_pack
from naas_centre.packs.schema import Criterion, Pack, Rubric
from naas_centre.services import accounts, packs, scoring, sittings, timing, written
from naas_centre.services.demo import ACCOUNTS
from naas_centre.services.views import Actor, Role, SittingSummary

SEED = "naas-centre demo day, v2"
# The candidates who do not meet the standard, with the levels both assessors give them
# where they struggled; everyone else meets it on both sheets. Leila Haddad misses the
# risk on the home visit (the Monday morning is never named to Ms Doyle, the key is not
# picked up) and responds unsafely to Maya's disclosure (a leading question, no check
# on where Maya sleeps tonight), and drops the subject of alcohol at the first answer.
# Her notes say so, and the two critical criteria and "Abuse and neglect of children"
# are why she does not meet the standard.
STRUGGLES: Mapping[str, Mapping[str, int]] = {
    "ليلى حداد": {"hv-risk": 2, "yp-respond": 2, "hv-alcohol": 2},
}
# The written scripts are the same for every candidate of a level (but for a few words),
# so each earns the same levels, read against the rubric: for example the practitioner
# script links Mrs Rahman's low mood, broken sleep and her husband's back injury to the
# care of each child (wr-impact 3) and weighs two explanations for the bruising, with
# Hana's needs apart from Yusuf's (wr-analysis 4); the supervisor's plan contacts the
# health visitor without going through Jamie, says what would trigger a strategy
# discussion and covers Tomasz's duty (written-plan 4).
WRITTEN_LEVELS: Mapping[str, Mapping[str, int]] = {
    "practitioner": {
        "wr-record": 3,
        "wr-impact": 3,
        "wr-analysis": 4,
        "wr-plan": 3,
        "wr-law": 3,
        "wr-research": 3,
    },
    "supervisor": {
        "written-analysis": 3,
        "written-plan": 4,
        "written-recording": 3,
        "written-development": 3,
    },
    "leader": {
        "written-analysis": 3,
        "written-priorities": 3,
        "written-system": 3,
        "written-workforce": 4,
        "written-governance": 3,
    },
}
PAUSE_REASON = "candidate unwell"
# Where the day's one pause falls: the sitting (in start order), scenario, and moment.
_PAUSE_AT = (1, 1, 9 * 60_000 + 10_000)
_PAUSE_LENGTH = timedelta(minutes=4, seconds=5)


@dataclass(frozen=True)
class SheetOutcome:
    """One assessor's submitted sheet, through the pack's outcome rule."""

    assessor: str
    met: bool
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class CandidateOutcome:
    candidate: str
    sitting_id: str
    level: str
    sheets: tuple[SheetOutcome, ...]

    @property
    def met(self) -> bool | None:
        """True or False when the sheets agree; None when they differ (moderation decides)."""
        verdicts = {s.met for s in self.sheets}
        return verdicts.pop() if len(verdicts) == 1 else None


@dataclass(frozen=True)
class ScoredDaySummary:
    day: date
    candidates: tuple[CandidateOutcome, ...]
    notes: int
    timing_events: int
    scripts: int

    @property
    def outcomes(self) -> dict[str, dict[str, bool]]:
        """Candidate name → assessor name → met."""
        return {c.candidate: {s.assessor: s.met for s in c.sheets} for c in self.candidates}


# Evidence notes, jotted live. One per line:
#   "== station"                     the scenario the lines below belong to
#   ". text" / ".d text"             a note tagged to no criterion (role-play / discussion)
#   "criterion + text" / "- text"    a note showing the behaviour / showing it missing;
#                                    "+d" / "-d": made in the discussion
# C is the candidate; the people named are the characters the actors play.
_NOTES = """
== home-visit
.  Sits where Ms D can see the door. Slow pace, low voice.
.  Checks watch ~18 min, moves towards next steps.
.d "I went in a bit fast on the school stuff at the start."
.d Would want to see the children's rooms next visit: cot in mum's room, cans in bin.
hv-purpose +  Intro: name, role, "school are worried about mornings, I'd like to hear it from you."
hv-purpose +  "Are you taking them?" - "That's not why I'm here." Then assessment in 2-3 sentences.
hv-purpose +  Says who else they'll speak to and that Ms D can see what's written. "Does that make sense?"
hv-purpose +  "Anything I write about you, you can ask to see." Asks if she has questions. Arms unfold.
hv-purpose -  Opens with "section 17 assessment". Ms D: "Is that care?" Not rephrased.
hv-purpose -  No explanation of rights or of what happens to info. Straight into the referral.
hv-purpose -  Purpose given but understanding not checked. Ms D at 20 min: "So what happens now?"
hv-relationship +  Notices photo: "Is that your mum?" Ms D talks about Jackie; C stays with it.
hv-relationship +  "Sounds like things got a lot harder after your mum died." Lets her cry, waits.
hv-relationship +  After "I'm not an alcoholic": "I'm not here to put a label on you." Calm, stays on it.
hv-relationship +  Asks what Mason and Amelia are like first. Dinosaurs, reading. Ms D smiles.
hv-relationship -  Reads the referral list out early. Ms D arms folded for first 10 min.
hv-relationship -  Talks over Ms D twice while she is upset about her mum.
hv-alcohol +  "Talk me through a typical evening once they're in bed." -> "a few cans most nights".
hv-alcohol +  "Who would see to Amelia if she woke in the night?" Specific, not judgemental.
hv-alcohol +  Gently re Craig: "What's he like after a drink? Do you feel safe?" -> wrist, the key.
hv-alcohol +  Follows up weekends / Monday -> "He got her milk. He's six." C acknowledges, no lecture.
hv-alcohol -  Accepts "Everyone has a drink, don't they?" and moves on. Weekends not explored.
hv-alcohol -  Craig asked about only as "your boyfriend"; no q on safety or DA history.
hv-alcohol -  Closed q: "Do you drink too much?" -> "I'm not an alcoholic". C drops the topic.
hv-children +  Amelia's breakfast and who gets it; then Mason's mornings, separately.
hv-children +  "Mason getting Amelia her milk that morning - how was that for him, do you think?"
hv-children +  Raises 2-yr check: "Is she saying any words yet? Could we rebook it?"
hv-children -  "The kids" throughout. Nothing on Amelia's day or development.
hv-children -  School attendance figures discussed, not Mason's experience of the mornings.
hv-risk +  Names it: "On Monday there was no grown-up awake to look after Amelia and Mason." Kind, clear.
hv-risk +  "If you'd had a drink on a night on your own, who could you call?" -> Kerry.
hv-risk +d Would ask manager today re strategy discussion: DA history, Craig still has a key.
hv-risk +d Names: care while intoxicated, a 22-month-old with no alert adult, DA exposure.
hv-risk -  Monday not raised with Ms D at all. Worry never named to her.
hv-risk -  Key disclosed, not picked up. No safety check on Craig coming back.
hv-risk -d "Low-level neglect, keep assessing." No view on immediate safety; manager not mentioned.
hv-next +  Who helps? Kerry, Mrs Patel, the parenting group. Strengths noted back to her.
hv-next +  Agrees: Mason at school Thurs, back Fri when Amelia's home. Ms D agrees.
hv-next +  Consent for school / GP / HV: "I'll tell you what they say." -> "Yeah, all right."
hv-next -  Next steps only when prompted; vague: "I'll be in touch."
hv-next -  Consent to contact GP / HV not asked for.
== young-person
.  Sits beside Maya, not across the desk. Voice low.
.  Leaves Maya's phone alone, no comment on it.
.d "I should have asked about Riley earlier than I did."
.d "Giving her choices about where to start seemed to help her settle."
yp-explain +  "What do you already know about why I'm here?" -> "the Mr Kowalski thing".
yp-explain +  Early: "If I'm worried you or Riley aren't safe I'll have to tell people. I'll tell you first."
yp-explain +  Asks what she likes to be called, and whether missing maths is OK.
yp-explain -  Confidentiality not explained. Maya: "Promise?" C: "It stays between us."
yp-explain -  Uses "MASH" and "assessment". Maya: "I don't know what that means."
yp-engage +  "What do you like drawing?" Maya animated: GCSE art, netball.
yp-engage +  After "Saturday was... it doesn't matter": waits ~6 s. "Take your time. I'm listening."
yp-engage +  Scaling: "0-10, how safe does home feel?" -> "like a 3".
yp-engage -  Fills the silence after "it doesn't matter"; changes subject to school.
yp-engage -  Rapid questions; Maya looking at phone, one-word answers.
yp-impact +  "Sounds like you look after Riley when it kicks off. That's a lot to carry."
yp-impact +  Links Mondays and tiredness -> "it's loud at home".
yp-impact +  "Where's Riley when Dean shouts?" -> cartoons in her room.
yp-impact -  Riley not asked about.
yp-impact -  Attendance treated as a problem to fix, not linked to home.
yp-views +  "If things could change at home, what would you want?" -> "I just want him gone."
yp-views +  Reflects: "You, Mum and Riley, and not care. Have I got that right?" Maya nods.
yp-views +  Asks who she talks to -> Jess, Jess's mum, nan.
yp-views -  Maya's wishes not asked.
yp-views -  Summary: "so things are hard with your stepdad". Maya: "He's not my dad."
yp-respond +  "Thank you for telling me. That took a lot." No leading qs.
yp-respond +  "You won't tell him?" -> "I can't keep it secret, but I'll tell you what happens next."
yp-respond +  Checks tonight: "Where are you staying tonight? Who's with Riley now?"
yp-respond +  Does not ask to see the bruise; no probing for detail.
yp-respond -  Leading: "Did Dean hit you?" -> "I didn't say that." Maya closes down ~2 min.
yp-respond -  Asks to see the bruise. Maya pulls sleeve down.
yp-respond -  Where Maya sleeps tonight not checked; Riley's safety not raised.
yp-next +  "Police might be part of keeping you safe. You're not in trouble for telling me."
yp-next +  Arrest q: "You'd have an adult with you and a free solicitor. Police would look at what he did."
yp-next -  Arrest q: "I don't know, maybe?" Maya goes quiet.
yp-next +  "What you want will be part of what we decide." Maya: "Can Mrs Begum be there?"
yp-next +d Now s47 not s17: expects strategy discussion today with police and school.
yp-next -  "I'll have a think and let you know." No timescale.
yp-next -d Unsure s47 applies: "maybe keep it at s17 and see".
yp-procedure +  "Before you go back to class I'll tell Mrs Begum, and my manager this afternoon."
yp-procedure +  Asks Mrs Begum who collects Riley from nursery today.
yp-procedure +d Would write Maya's words down as she said them, with the time, straight after.
yp-procedure -  Leaves without agreeing who tells Mrs Begum, or when.
yp-procedure -d "I'd write it up back at the office, probably tomorrow."
== professional
.  Offers Grace a seat and water; acknowledges her 18 years.
.  Writes actions down as agreed, reads them back.
.d Names own confirmation bias unprompted: "I saw what I expected on my visits."
pro-listen +  "Can you take me through what you found at the weigh-in?"
pro-listen +  Summary: "Weight, the cow's milk, Ryan may be back. Have I missed anything?" HV nods.
pro-listen +  "Step-down was based on 5 months' progress; this wasn't known at review." Calm.
pro-listen -  Opens "it was the review's decision". HV: "only as good as the information."
pro-listen -  Interrupts HV twice to defend the plan.
pro-weigh +  "The weight is measured; the neighbour's comment is second-hand. I'll check with police."
pro-weigh +  Could D&V explain it? HV: "some, not all". C: "so we'd expect catch-up by now."
pro-weigh +  "Taken together I don't think step-down at the next review is safe."
pro-weigh -  "I'll start child protection today." HV: "On what basis?"
pro-weigh -  Treats Ryan being back as fact; not checked.
pro-infant +  "Is that drop big enough to count as faltering growth?" -> 25th to just above 2nd.
pro-infant +  "What's she fed now, how often?" -> cow's milk at 8 months. C names the concern.
pro-infant +  Asks how Ellie seemed: quieter, less babbling. Suggests GP / paediatric review.
pro-infant -  Cow's milk mentioned by HV; significance not picked up.
pro-infant -  No questions on Ellie's presentation or development; process only.
pro-adult +  "Is Bethany still taking her tablets?" -> stopped. Links to baby group stopping.
pro-adult +  "If Ryan is back, given the pregnancy, that changes the risk for both of them."
pro-adult +  "I'd want to see Bethany on her own to ask about Ryan."
pro-adult -  Bethany's mood not asked about.
pro-adult -  Jacket and car heard; DA history not linked.
pro-procedure +  Agrees to see Bethany within 2 days; will ring HV by 5 today either way.
pro-procedure +  Escalation policy named without defensiveness: "if we still disagree, it's there."
pro-procedure +  Joint visit this week; will email agreed actions today.
pro-procedure -  "We'll monitor." HV: "What does monitor mean in practice?" C struggles.
pro-procedure -  "When will I hear from you?" -> "sometime next week."
pro-supervision +  "Can't change the plan alone. Taking it to my manager today: may change the step-down."
pro-supervision +d "I relied on how good the visits looked. I want supervision to test that."
pro-supervision +d Question for manager: strategy discussion or urgent visit first.
pro-supervision -  Manager not mentioned in the meeting.
pro-supervision -d Reflection: "I think it went OK." No learning named.
pro-court +d PLO route: legal planning meeting, letter before proceedings, free legal advice for Bethany.
pro-court +d Threshold: significant harm attributable to care. Court would need chronology + what was offered.
pro-court +d Would want an early FGC in case Ellie ever needed family carers.
pro-court -d "We'd go to court and get an order." No threshold, no PLO.
pro-court -d Unsure what pre-proceedings would mean for Bethany.
== drift-supervision
.  Opens by checking the agenda and asking how Ryan is overall.
.  Uses facts from the file, not impressions.
.d "I nearly went along with the step-down framing at the start."
drift-child-focus +  "When did you last see Maja on her own?" -> "together, 6-7 weeks". C pauses.
drift-child-focus +  Asks who gets Kacper up in the mornings if mum's asleep.
drift-child-focus +  Agrees both children seen within 2 working days; Maja alone at school.
drift-child-focus -  Stays on mum's engagement; Maja and Kacper barely mentioned till 15 min.
drift-child-focus -  School email raised by Ryan (15 min); C doesn't ask what it says.
drift-analysis +  "If mum had turned a corner, what would school and HV be seeing?"
drift-analysis +  Lists attendance 81%, HV missed x2, no alcohol assessment; asks Ryan to weigh it.
drift-analysis +  "On what we have now, I couldn't support step-down. Here's why."
drift-analysis -  Accepts "she loves those kids" without testing it.
drift-analysis -  No view on step-down by the end. Ryan: "So are we still OK for step-down?"
drift-authority +  "This isn't optional: both seen by Thursday. How do you want to do it?"
drift-authority +  Explains they are accountable to conference for the plan.
drift-authority +  Offers a joint visit but keeps the timescale.
drift-authority -  Tells Ryan what to do without asking him. "Fine, yeah." Ryan goes flat.
drift-authority -  "You've been avoiding them." Ryan: "So I'm being naive?"
drift-emotional +  "What's it like going into that house at the moment?" -> doorway story.
drift-emotional +  "That sounds frightening. Thank you for telling me." Pause before actions.
drift-emotional +  Asks how he is outside work -> father's illness. Agrees who needs to know.
drift-emotional +  Two-worker visit, check-in before and after.
drift-emotional -  "Busy like everyone" not explored.
drift-emotional -  Straight to actions after the doorway disclosure.
drift-performance +  "Seven weeks without a visit on a CP plan isn't OK, nor is the email sitting 9 days."
drift-performance +  Will review visits on all Ryan's CP cases this week.
drift-performance +  Date to meet again before conference; will record it in supervision.
drift-performance -  Unrecorded visit not addressed.
drift-performance -  Gap named; no plan for how it will be checked.
== nqsw-feedback
.  Warm opener; checks Aisha is OK to talk now.
.  Has the assessment on the table, points to the page.
.d Reflects on holding the ASYE standard and support together.
nqsw-feedback +  Starts with strengths: foster carer's praise, the s47 explanation observed.
nqsw-feedback +  "Harley's voice is one line. What did he say to you?" -> "just me and Mum".
nqsw-feedback +  Asks Aisha to sum up the two changes she'll make.
nqsw-feedback -  General only: "recording needs to improve". Aisha: "So it's fine, then?"
nqsw-feedback -  Strengths not named.
nqsw-analysis +  "Talk me through how you got to no further action." Aisha reasons well aloud.
nqsw-analysis +  "What do we know about Gary, and where he is now?" -> no police check.
nqsw-analysis +  Police check today, revised assessment by Friday, reason for delay recorded.
nqsw-analysis -  Gary not asked about.
nqsw-analysis -  Agrees NFA in principle without checks.
nqsw-performance +  "You're not failing today. By the review: analysis in assessments, notes in 5 days."
nqsw-performance +  Review in 4 weeks; three-way with the ASYE assessor.
nqsw-performance +  Protected time this week for the 11 notes.
nqsw-performance -  "Am I going to fail?" -> "Let's not worry about that." Standard not stated.
nqsw-performance -  Plan: "get on top of recording". Nothing measurable.
nqsw-emotional +  "I've heard you're staying late most nights. Tell me about that."
nqsw-emotional +  Dyslexia disclosed: "Thank you for telling me. What helped at university?"
nqsw-emotional +  Offers the software and an OH referral, with her agreement.
nqsw-emotional -  "Everyone finds recording hard, you just need to prioritise." No disclosure.
nqsw-emotional -  Aisha tearful; C moves to the next point.
nqsw-system +  "I gave you four new cases, above the ASYE limit. That's on me."
nqsw-system +  No new allocations for 4 weeks; will move 2 cases.
nqsw-system +  Will raise ASYE caseload protection at the managers' meeting.
nqsw-system -  Caseload of 17 not acknowledged.
nqsw-system -  Vacancies given as the reason; no action.
== stepdown-disagreement
.  Opens: "Thanks for raising it. I'd rather hear it now."
.  Takes notes throughout; reads the decision back.
.d Acknowledges the step-down drive may have shaped own judgement.
stepdown-analysis +  "What's changed since panel?" -> jacket, second phone, car.
stepdown-analysis +  "Not going missing could mean safer, or exploitation closer to home. Which?"
stepdown-analysis +  Decision: stays CIN 3 months; conditions for reconsidering set out.
stepdown-analysis -  Jacket and phone heard, not weighed: "could be a mate, though".
stepdown-analysis -  Decision reached, reasons not given.
stepdown-authority +  "I recommended it on what we had. Tell me what I didn't have."
stepdown-authority +  "It's my recommendation, so mine to change. I'll see the service manager today."
stepdown-authority +  "If you still disagree, the procedure's there. I won't take it personally."
stepdown-authority -  "Panel's decided" early. Kwame goes formal, mentions escalation.
stepdown-authority -  Agrees at once to keep it open. Kwame: "What will you tell the service manager?"
stepdown-child +  "Who does Jayden trust? What happens to that in four weeks?" -> Dev's funding.
stepdown-child +  Agrees Kwame progresses an NRM referral this week.
stepdown-child +  Asks whether the car and the older lad have gone to police and MACE.
stepdown-child -  Jayden's own words not asked for.
stepdown-child -  NRM not considered.
stepdown-system +  Other step-downs: "You're right to ask. I'll review them with the SM this week."
stepdown-system +  Panel shouldn't decide without the allocated worker's current view.
stepdown-system +  Will raise youth work funding at the partnership meeting.
stepdown-system -  Other step-downs: "they were fine".
stepdown-system -  Referral pressure mentioned; nothing on the process.
stepdown-governance +  "Can you get your visit recorded today? I'll add a management decision."
stepdown-governance +  Will email the service manager before the end of the day.
stepdown-governance +  Records the disagreement as resolved, and how.
stepdown-governance -  Recording the new information not mentioned.
stepdown-governance -  No agreement on who tells the service manager.
== incident-partner-meeting
.  Opens by acknowledging how serious it is and Theo's condition.
.  Writes actions and owners on a pad; reads them back at the end.
.d Reflects on not getting defensive at the opening challenge.
incident-safety +  "Before anything else: is Poppy safe tonight? Who lives at nan's?" -> Wayne Doyle.
incident-safety +  Safety plan reviewed by a manager today given the Wayne Doyle info.
incident-safety +  Asks if Connor has contact with other children. Raises Theo's discharge.
incident-safety -  Poppy's placement assumed safe; household not asked about.
incident-safety -  Wayne Doyle heard; no decision or owner for reviewing the safety plan.
incident-statutory +  "The council notifies the national panel. By Thursday; we'll share it with you."
incident-statutory +  Explains the rapid review: the three safeguarding partners, who convenes.
incident-statutory +  No talk of injuries with parents before Friday's interview; joint plan for Poppy.
incident-statutory +  Single press line through both comms teams.
incident-statutory -  Notification q: "I'll check who does that."
incident-statutory -  Unclear how s47 and the criminal investigation run together.
incident-partnership +  "Our front door closed that notification without speaking to anyone."
incident-partnership +  "How's your officer doing? Ours are shaken too."
incident-partnership +  Both agencies to brief staff on the same basis.
incident-partnership -  Early: "the notification took 23 days". DI goes formal.
incident-partnership -  "Lessons will be learned." DI: "Heard that at every review."
incident-system +  "Three agencies each held a piece. Where did the information stop?"
incident-system +  Under-2s notifications within 24 h while the backlog is cleared.
incident-system +  Will raise the A&E referral pathway with the designated nurse.
incident-system -  System gaps left to the rapid review; no interim action.
incident-system -  Only the front door named; hospital pathway missed.
incident-assurance +  "400 waiting, some will be babies. Can we triage together this week?"
incident-assurance +  Dip sample of 30 front door closures from the last 3 months.
incident-assurance +  Findings to the partnership executive in 2 weeks.
incident-assurance -  Backlog heard; no step to check other children.
incident-assurance -  Dip sample suggested, no owner or date.
== member-briefing
.  Opens by asking what the Cllr most needs from the meeting.
.  Checks understanding twice; keeps to time.
.d Would send a one-page written summary afterwards.
member-account +  "Is it as bad as the paper says?" Not "failing", but serious: two priority areas.
member-account +  Explains strategy discussion unasked: agencies meeting fast when a child may be at risk.
member-account +  "I can't promise every child is safe. I can tell you what we do for those who wait."
member-account -  "Children are safe." Later: "Then why does the letter say they wait too long?"
member-account -  "MASH", "s47". Cllr: "Sorry, what's that in English?"
member-data +  "Referrals up almost a fifth, caseloads 19 to 24. That's the pressure behind delays."
member-data +  Monthly report proposed: strategy discussion timeliness and caseloads.
member-data +  "Figures tell us how quickly; audits tell us whether the decisions were right."
member-data -  Figures read out, meaning not explained.
member-data -  No measure of improvement proposed.
member-plan +  "This week every strategy discussion over a day comes to me. Front door staffing next."
member-plan +  Police and health part of the fix.
member-plan +  Links the plan to both priority action areas.
member-plan -  Plan is "recruit more staff"; no short-term action.
member-plan -  Management oversight not addressed.
member-conditions +  Agency staff q: "Lose them tomorrow and caseloads go over 30."
member-conditions +  Explains what the 4% saving would mean in posts.
member-conditions +  "I need your help to make the case for permanent staff. I'll bring costed figures."
member-conditions -  Agrees to cut agency use to save money; trade-off not explained.
member-conditions -  Saving not mentioned.
member-decisions +  Mrs Dawson: "Give me her details; it'll be looked at today. I'll tell you what I can."
member-decisions +  Discipline q: "What Ofsted found is about how the system works."
member-decisions +  Drafts two sentences for the Gazette with the Cllr.
member-decisions +  Explains his scrutiny role respectfully; agrees monthly updates.
member-decisions -  Tells the Cllr he can visit Mrs Dawson's grandson himself.
member-decisions -  Discipline q: "We'll look at who's responsible."
== audit-conversation
.  Opens by acknowledging Delroy's six years and partners' respect.
.  Asks how he is; job advert comes up.
.d Reflects on balancing challenge and support.
audit-children +  "Do we know Nia's been seen?" -> "Honestly? I don't know." Seen by tomorrow, ring me.
audit-children +  Agrees who visits the two children whose workers are on leave.
audit-children +  Asks what the GP's info on dad's mental health means for Nia.
audit-children -  "I'll check" accepted; no timescale.
audit-children -  Nia not raised specifically.
audit-learning +  "Let's look at the two gradings with the audit lead together. The themes stand."
audit-learning +  Re-audit of 6 cases in 8 weeks.
audit-learning +  "Families say your workers are reliable. That's a strength to build on."
audit-learning -  Agrees the audit is "a bit tick-box". Delroy relaxes, offers nothing more.
audit-learning -  Disputed gradings not addressed.
audit-develop +  "What does a really good supervision look like, when you have time?" -> model.
audit-develop +  Offers to co-supervise a case in the next 2 weeks.
audit-develop +  Suggests the practice supervisors' learning group.
audit-develop -  Suggests e-learning on the model. Delroy rolls eyes.
audit-develop -  Development not discussed.
audit-context +  "Two teams, no supervision: the organisation's failure. I'll fix the cover."
audit-context +  Books fortnightly supervision for 3 months.
audit-context +  Will raise an interim manager for Team North this week.
audit-context -  Covering Team North not picked up.
audit-context -  Vacancies acknowledged, no action.
audit-accountability +  "On Monday, go through every CIN case: when was each child last seen?"
audit-accountability +  "Supervision records need your thinking about the child, not just tasks."
audit-accountability +  Clear this is support and standards, not capability.
audit-accountability -  Raises capability early. Delroy: "I'd want my union rep."
audit-accountability -  Expectations vague: "tighten things up".
"""


# Reasons: "criterion ! text" (an indented line continues it), the words an assessor
# gives for a level below the standard on that criterion (two wordings, one for each
# assessor). They say
# what fell short, as the "missing" notes above record it, never the rubric's descriptor.
_REASONS = """
== home-visit
hv-purpose !  Purpose given in agency terms; Ms Doyle's rights and what happens to information left until
    she asked.
hv-purpose !  Explained why they came but never checked she understood; she was still asking "what happens
    now?" at 20 minutes.
hv-relationship !  Polite, but the concerns came before any interest in her; the grief for her mum was
    passed over.
hv-relationship !  Warmth in words rather than responses: talked over her when she was upset and did not
    repair it.
hv-alcohol !  Took the first answer on drinking; weekends, Monday and who cares for the children when she
    drinks were not explored.
hv-alcohol !  Mr Bell raised only as "your boyfriend": nothing on her safety, the key or what the children
    hear.
hv-children !  The children were talked about together; nothing on Amelia's day or development, or what
    Monday meant for Mason.
hv-children !  School attendance was discussed, not Mason's or Amelia's experience of the mornings.
hv-risk !  Saw the risk but did not name it to Ms Doyle: Monday morning never raised with her, no check on
    who has a key.
hv-risk !  Immediate safety not checked, and in the discussion the view was "low-level neglect" without a
    view on today.
hv-next !  Next steps vague and only when prompted; consent to contact the GP and health visitor not sought.
hv-next !  Strengths noted in passing; who supports her was not explored, so the plan has nothing to build
    on.
== young-person
yp-explain !  Confidentiality not explained before Maya started to talk; "it stays between us" had to be
    taken back later.
yp-explain !  Role explained in jargon (MASH, assessment) and Maya's understanding not checked.
yp-engage !  Questions came fast and closed; silences were filled, so Maya gave one-word answers for most of
    it.
yp-engage !  Moved on from "it doesn't matter" instead of waiting; Maya did not get to lead any part.
yp-impact !  Riley not asked about; school treated as an attendance problem rather than a sign of home.
yp-impact !  Did not connect her tiredness and Mondays to home, or what looking after Riley means at 14.
yp-views !  Maya's wishes not asked for in her own terms; the summary got Dean's place wrong and she
    corrected it.
yp-views !  What is good in her life and who she trusts were not explored.
yp-respond !  A leading question ("Did Dean hit you?") closed Maya down, and where she sleeps tonight was
    not checked.
yp-respond !  Asked to see the bruise, and Riley's safety was not raised after the disclosure.
yp-next !  What happens next left vague, with no timescale; her fear of being arrested was not answered.
yp-next !  In the discussion unsure that section 47 applies; would "keep it at section 17 and see".
yp-procedure !  Left without agreeing who tells Mrs Begum or when; recording put off to the next day.
yp-procedure !  Manager and the designated safeguarding lead mentioned only in general terms, with no time.
== professional
pro-listen !  Defended the plan before hearing Grace out; interrupted her twice.
pro-listen !  Leaned on "the review's decision" rather than the evidence, so her view was never fully heard.
pro-weigh !  Took the neighbour's report of Ryan as fact and did not test the weight drop against the
    stomach bug.
pro-weigh !  Swung to "child protection today" without weighing what was measured against what was reported.
pro-infant !  The cow's milk was mentioned by Grace but its significance for an 8-month-old was not picked
    up.
pro-infant !  No questions on how Ellie presented or on her development; the discussion stayed on process.
pro-adult !  Bethany's mood and stopped medication not asked about; the jacket and car not linked to the
    domestic abuse history.
pro-adult !  Considered one adult factor only; no plan to speak to Bethany on her own about Ryan.
pro-procedure !  "We'll monitor" with no actions, owners or dates; Grace left not knowing when she would
    hear.
pro-procedure !  The escalation route and how the meeting would be recorded were not mentioned.
pro-supervision !  Manager not mentioned in the meeting; in the discussion nothing identified to take to
    supervision.
pro-supervision !  Reflection stayed at "it went OK"; no question about their own reasoning for supervision.
pro-court !  Could not say what pre-proceedings would mean for Bethany or what the threshold is.
pro-court !  "We'd go to court and get an order": no threshold, no Public Law Outline, no evidence named.
== drift-supervision
drift-child-focus !  The conversation stayed on the mother; Maja and Kacper hardly came up until 15 minutes
    in.
drift-child-focus !  Did not ask what the school email said about Maja, or when each child was last seen
    alone.
drift-analysis !  Ryan's account ("she loves those kids") was accepted without testing it against the
    evidence.
drift-analysis !  No clear view on the step-down by the end; Ryan had to ask.
drift-authority !  Directions given without asking Ryan's view; he went flat and agreed without ownership.
drift-authority !  "You've been avoiding them": authority used as blame, which shut the conversation down.
drift-emotional !  Went straight to actions after the doorway disclosure; how Ryan felt was not explored.
drift-emotional !  "Busy like everyone" accepted; what had got in the way was not opened up.
drift-performance !  The gap was named but there was no plan for putting it right or checking it.
drift-performance !  The unrecorded visit was not addressed at all.
== nqsw-feedback
nqsw-feedback !  Feedback stayed general ("recording needs to improve"); Aisha left thinking it was fine.
nqsw-feedback !  Her strengths were not named, so the feedback read as criticism only.
nqsw-analysis !  Gary was not asked about; no-further-action agreed in principle without the checks.
nqsw-analysis !  Did not help Aisha see the gaps in the evidence before sign-off.
nqsw-performance !  "Let's not worry about that" in answer to the ASYE question; the standard was never
    stated.
nqsw-performance !  The plan was "get on top of recording", with nothing measurable and no review date.
nqsw-emotional !  Moved to the next point while Aisha was tearful; the late nights were not explored.
nqsw-emotional !  "Everyone finds recording hard": no space for her to say what was behind it.
nqsw-system !  The caseload of 17 was not acknowledged; the supervisor's own part in it went unowned.
nqsw-system !  Vacancies given as the reason, with no action.
== stepdown-disagreement
stepdown-analysis !  The jacket and second phone were heard but not weighed ("could be a mate").
stepdown-analysis !  A decision was reached without reasons Kwame could test.
stepdown-authority !  "Panel's decided" early on; Kwame went formal and talked of escalation.
stepdown-authority !  Agreed at once to keep the case open without owning the original recommendation or
    saying who decides.
stepdown-child !  Jayden's own words were not asked for; the NRM was not considered.
stepdown-child !  Exploitation outside the home was not part of the next steps.
stepdown-system !  Other step-downs dismissed as "fine"; the panel process was not questioned.
stepdown-system !  Referral pressure mentioned, but nothing on how the system shapes these decisions.
stepdown-governance !  Recording the new information was not mentioned.
stepdown-governance !  No agreement on who tells the service manager, or when.
== incident-partner-meeting
incident-safety !  Poppy's placement was assumed safe; who lives at her nan's was not asked.
incident-safety !  Wayne Doyle was heard about but no decision or owner followed for reviewing the safety
    plan.
incident-statutory !  Unsure who notifies the national panel; "I'll check who does that".
incident-statutory !  Could not say how the section 47 and criminal processes would run together.
incident-partnership !  Opened with the 23 days, which put the DI on the defensive for the rest of the
    meeting.
incident-partnership !  "Lessons will be learned" in place of the council's own part.
incident-system !  System gaps left to the rapid review; no joint action now.
incident-system !  Only the front door was named; the hospital pathway was missed.
incident-assurance !  The backlog was heard, but no step was taken to find out whether other children are at
    risk.
incident-assurance !  A dip sample was suggested with no owner or date.
== member-briefing
member-account !  "Children are safe": false reassurance the councillor saw through straight away.
member-account !  Jargon (MASH, section 47) left unexplained; the councillor had to ask for plain English.
member-data !  Figures were read out without saying what they mean for children.
member-data !  No measure of improvement was proposed.
member-plan !  The plan was "recruit more staff", with nothing for the short term.
member-plan !  Management oversight, the heart of the Ofsted finding, was not addressed.
member-conditions !  Agreed to cut agency staff to save money without setting out the trade-off.
member-conditions !  The proposed saving and what it would mean in posts were not raised.
member-decisions !  Told the councillor he could visit the constituent's grandson himself.
member-decisions !  "We'll look at who's responsible": discipline put in the councillor's frame, not the
    system's.
== audit-conversation
audit-children !  "I'll check" accepted with no timescale for seeing Nia.
audit-children !  Nia was not raised specifically; the three unvisited children were left with Delroy to
    sort.
audit-learning !  Agreed the audit was "a bit tick-box", so nothing was learnt from it.
audit-learning !  The disputed gradings were not addressed.
audit-develop !  Development was not discussed beyond e-learning, which Delroy dismissed.
audit-develop !  Nothing offered for Delroy as a supervisor and leader of practice.
audit-context !  Covering Team North was not picked up as a cause.
audit-context !  Vacancies acknowledged, with no action.
audit-accountability !  Raised capability early; Delroy asked for his union representative.
audit-accountability !  Expectations left vague ("tighten things up").
"""


@dataclass
class _Bank:
    general: list[tuple[str, str]] = field(default_factory=list)  # (phase, text)
    seen: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    missing: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    reasons: dict[str, list[str]] = field(default_factory=dict)


def _parse_notes(text: str) -> dict[str, _Bank]:
    banks: dict[str, _Bank] = {}
    bank = _Bank()
    last_reason: list[str] | None = None
    for line in text.splitlines():
        if line.startswith("    ") and line.strip() and last_reason is not None:
            last_reason[-1] += " " + line.strip()
            continue
        last_reason = None
        if not line.strip() or " " not in line.strip():
            continue
        head, rest = line.split(" ", 1)
        if head == "==":
            bank = banks.setdefault(rest.strip(), _Bank())
        elif head in (".", ".d"):
            bank.general.append(("discussion" if head == ".d" else "role_play", rest.strip()))
        elif rest.startswith("!"):
            last_reason = bank.reasons.setdefault(head, [])
            last_reason.append(rest[1:].strip())
        else:
            mark, note = rest.strip().split(" ", 1)
            phase = "discussion" if mark.endswith("d") else "role_play"
            pool = bank.seen if mark.startswith("+") else bank.missing
            pool.setdefault(head, []).append((phase, note.strip()))
    return banks


_BANKS = _parse_notes(_NOTES + _REASONS)

# Small differences between candidates' scripts for the same exercise.
_SCRIPT_VARIANTS: Mapping[str, Sequence[tuple[str, str]]] = {
    "practitioner": (
        ("In my view", "I think"),
        ("I cant rule out", "I can't rule out"),
        ("There are real strengths.", "There are also clear strengths."),
        ("must be followed up", "needs to be followed up"),
        ("by the end of next week", "within ten days"),
        ("Review in six weeks.", "Review the plan in six weeks."),
    ),
    "supervisor": (
        ("Worries:", "Concerns:"),
        ("straight away", "immediately"),
        ("I think this is an honest", "This is an honest"),
        ("this month", "in the next month"),
    ),
    "leader": (
        ("approximately", "about"),
        ("Speed alone is not the goal", "Speed is not the only goal"),
        ("Start: within 4 weeks", "Start: within a month"),
    ),
}


def load_script(level: str) -> str:
    """The written-exercise script a demo candidate at ``level`` writes (package data)."""
    return (resources.files("naas_centre.services") / "demo_scripts" / f"{level}.txt").read_text("utf-8")


def _script_for(level: str, rng: random.Random) -> str:
    text = load_script(level)
    for old, new in _SCRIPT_VARIANTS.get(level, ()):
        if rng.random() < 0.5:
            text = text.replace(old, new)
    return text


# Levels -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Scale:
    low: int  # the lowest level
    weak: int  # the level just below the standard
    meets: int  # the level that meets the standard
    strong: int  # the top level
    floor: int  # no criterion may be below this without failing


def _scale(pack: Pack, rubric: Rubric) -> _Scale:
    values = sorted(lv.value for lv in pack.levels_for(rubric))
    standard = pack.outcome.standard()
    meets = next((v for v in values if v >= standard), values[-1])
    weak = max((v for v in values if v < meets), default=meets)
    floor = pack.outcome.overall.floor_level
    return _Scale(values[0], weak, meets, values[-1], values[0] if floor is None else floor)


def _critical(pack: Pack) -> dict[str, int]:
    return {c.criterion: c.min_level for c in pack.outcome.overall.critical}


def _station_of(pack: Pack) -> dict[str, tuple[str, Rubric]]:
    return {c.id: (station, rubric) for station, rubric in pack.rubrics() for c in rubric.criteria}


def _label(pack: Pack, level: int) -> str:
    names = {lv.value: lv.label for lv in pack.levels}
    return f"level {level} ({names[level]})" if level in names else f"level {level}"


def _station_met(pack: Pack, rubric: Rubric, levels: Mapping[str, int]) -> tuple[bool, str]:
    """A station's judgement from its levels, with its reasons in words.

    Met when its criteria together reach the pass mark, none is below the floor and any
    critical criterion reaches its minimum: the pack's rule, applied to one station.
    """
    scale = _scale(pack, rubric)
    critical = _critical(pack)
    mine = [levels[c.id] for c in rubric.criteria]
    problems = [
        f"“{c.heading()}” at {_label(pack, levels[c.id])}, below the "
        f"{_label(pack, critical[c.id])} this critical criterion needs"
        for c in rubric.criteria
        if c.id in critical and levels[c.id] < critical[c.id]
    ]
    problems += [
        f"“{c.heading()}” at {_label(pack, levels[c.id])}, below the lowest level allowed"
        for c in rubric.criteria
        if levels[c.id] < scale.floor and c.id not in critical
    ]
    developing = [c for c in rubric.criteria if levels[c.id] < scale.meets]
    mean = statistics.fmean(mine)
    mark = pack.outcome.area_pass_mark
    figure = f"the levels here average {mean:.2f} against the pass mark of {mark:g}"
    if mean < mark and not problems:
        problems.append(f"{figure}" + (f"; still developing: {_titles(developing)}" if developing else ""))
    if problems:
        return False, "Not met: " + "; ".join(problems) + "."
    strong = sum(1 for v in mine if v >= scale.strong)
    text = f"Met: {figure}; {len(mine) - len(developing)} of {len(mine)} criteria at the standard or above"
    text += f", {strong} strong" if strong else ""
    text += f"; still developing: {_titles(developing)}" if developing else ""
    return True, text + "."


def _titles(criteria: Sequence[Criterion]) -> str:
    return ", ".join(f"“{c.heading()}”" for c in criteria)


def _repair(
    pack: Pack, levels: dict[str, int], *, keep: AbstractSet[str] = frozenset(), stations: bool = True
) -> None:
    """Raises the lowest levels, one step at a time, until every area (but those whose
    criteria are all in ``keep``), the bound on levels below the standard and, with
    ``stations``, every station's judgement are satisfied."""
    critical = _critical(pack)
    where = _station_of(pack)
    bound = pack.outcome.overall.max_below_standard
    for cid, (_station, rubric) in where.items():
        if cid in keep:
            continue
        scale = _scale(pack, rubric)
        levels[cid] = max(levels[cid], scale.floor, critical.get(cid, scale.low))
    for _ in range(300):
        outcome = evaluate_pack(pack, levels)
        failing = {a.area for a in outcome.areas if a.met is False}
        candidates: list[Criterion] = [
            c for _s, c in pack.criteria() if c.kss in failing and c.id not in keep
        ]
        if not candidates and bound is not None and len(outcome.below_standard) > bound:
            below = set(outcome.below_standard)
            candidates = [c for _s, c in pack.criteria() if c.id in below and c.id not in keep]
        if stations and not candidates:
            for _station, rubric in pack.rubrics():
                if not _station_met(pack, rubric, levels)[0]:
                    candidates += [c for c in rubric.criteria if c.id not in keep]
        candidates = [c for c in candidates if levels[c.id] < _scale(pack, where[c.id][1]).strong]
        if not candidates:
            return
        lowest = min(candidates, key=lambda c: levels[c.id])
        levels[lowest.id] += 1
    raise RuntimeError("could not make the demo levels meet the standard")


def _intended_levels(
    pack: Pack, rng: random.Random, struggle: Mapping[str, int] | None
) -> tuple[dict[str, int], dict[str, int]]:
    """Two assessors' levels: mostly in agreement, a level apart on a few criteria.

    The written exercise's levels, and a struggling candidate's levels where they
    struggled, are fixed (both assessors give them); the rest are drawn, then raised
    where needed so that each sheet, and the lower of the two levels wherever the
    assessors differ (what moderation agrees), give the intended outcome.
    """
    critical = _critical(pack)
    where = _station_of(pack)
    fixed = {**WRITTEN_LEVELS.get(pack.level.value, {}), **(struggle or {})}
    fixed = {cid: lv for cid, lv in fixed.items() if cid in where}
    p_strong, p_weak = (0.08, 0.2) if struggle else (0.24, 0.1)
    first: dict[str, int] = {}
    for cid, (_station, rubric) in where.items():
        sc = _scale(pack, rubric)
        r = rng.random()
        level = sc.strong if r < p_strong else sc.weak if r > 1 - p_weak else sc.meets
        first[cid] = max(level, critical.get(cid, sc.low))
    first.update(fixed)
    stations = struggle is None
    _repair(pack, first, keep=set(fixed), stations=stations)

    # The second assessor differs by a level on a few criteria, always on the same side of
    # the standard ("meets" against "strong"): both watched the same conversation, so one
    # cannot have seen the behaviour missing where the other noted it done. Where the
    # candidate fell short, both saw it and both give the lower level, each with a reason.
    second = dict(first)
    pool = sorted(c for c in first if c not in fixed and first[c] >= _scale(pack, where[c][1]).meets)
    for cid in rng.sample(pool, k=min(len(pool), rng.randint(2, 4))):
        sc = _scale(pack, where[cid][1])
        if sc.strong > sc.meets:
            second[cid] = sc.meets if second[cid] >= sc.strong else second[cid] + 1
    _repair(pack, second, keep=set(fixed), stations=stations)
    agreed = {cid: min(first[cid], second[cid]) for cid in first}
    _repair(pack, agreed, keep=set(fixed), stations=stations)
    for cid, level in agreed.items():  # where moderation's level had to rise, both rise
        first[cid], second[cid] = max(first[cid], level), max(second[cid], level)

    agreed = {cid: min(first[cid], second[cid]) for cid in first}
    for levels in (first, second, agreed):
        if evaluate_pack(pack, levels).met != (struggle is None):
            raise RuntimeError("the demo levels do not give the intended outcome")
    return first, second


# The day ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Phase:
    """How one phase ran: when it started, how long it ran and where it was paused."""

    name: str
    start: datetime
    elapsed_ms: int
    pauses: tuple[tuple[int, timedelta], ...] = ()  # (phase clock at the pause, its length)

    def at(self, clock_ms: int) -> datetime:
        paused = sum((length for when, length in self.pauses if when <= clock_ms), timedelta())
        return self.start + timedelta(milliseconds=clock_ms) + paused

    @property
    def end(self) -> datetime:
        return self.at(self.elapsed_ms)


@dataclass
class _Counts:
    notes: int = 0
    events: int = 0
    scripts: int = 0


class _Day:
    def __init__(self, db: Database, day: date) -> None:
        self.db = db
        self.day = day
        self.passwords = {a.username: a.password for a in ACCOUNTS}
        manager = next(a for a in ACCOUNTS if a.role == Role.CENTRE_MANAGER)
        self.manager = self.login(manager.username)
        self._assessors: dict[str, Actor] = {}
        self.counts = _Counts()
        self.overran = False

    def login(self, username: str) -> Actor:
        return accounts.authenticate(self.db, username, self.passwords[username])

    def assessor(self, display_name: str) -> Actor:
        """The assessor of that name, logged in once for the whole day."""
        if display_name not in self._assessors:
            acc = next(a for a in ACCOUNTS if a.role == Role.ASSESSOR and a.display_name == display_name)
            self._assessors[display_name] = self.login(acc.username)
        return self._assessors[display_name]

    def event(
        self,
        who: Actor,
        sid: str,
        station: str,
        phase: str,
        kind: str,
        at: datetime,
        reason: str | None = None,
    ) -> None:
        timing.record_event(self.db, who, sid, station, phase, kind, reason=reason, at=at)
        self.counts.events += 1

    def run_phase(
        self,
        who: Actor,
        sid: str,
        station: str,
        plan: timing.PhasePlan,
        start: datetime,
        rng: random.Random,
        pause_at: int | None = None,
        force_overrun: bool = False,
    ) -> _Phase:
        length = plan.adjusted_ms
        if plan.phase == "reading":
            elapsed = length + rng.randint(0, 15_000)  # the clock runs out; the door opens
        else:
            over = 0.3 if plan.phase == "role_play" else 0.2
            if force_overrun or rng.random() < over:
                elapsed = length + rng.randint(60_000, 130_000)
            else:
                elapsed = (
                    length - rng.randint(0, 90_000) if rng.random() < 0.6 else length + rng.randint(0, 20_000)
                )
        if elapsed > length + 59_000:
            self.overran = True
        pauses: tuple[tuple[int, timedelta], ...] = ()
        if pause_at is not None:
            pauses = ((pause_at, _PAUSE_LENGTH),)
        phase = _Phase(plan.phase, start, elapsed, pauses)
        self.event(who, sid, station, plan.phase, "start", start)
        for when, gap in pauses:
            at = phase.start + timedelta(milliseconds=when)
            self.event(who, sid, station, plan.phase, "pause", at, PAUSE_REASON)
            self.event(who, sid, station, plan.phase, "resume", at + gap)
        self.event(who, sid, station, plan.phase, "end", phase.end)
        return phase


def _notes_for(
    bank: _Bank,
    rubric: Rubric,
    levels: Mapping[str, int],
    scale: _Scale,
    rng: random.Random,
    other: Mapping[str, int],
    taken: set[str],
) -> list[tuple[str | None, str, str]]:
    """3–6 (criterion, phase, text) notes for one assessor at one scenario, in the order
    they would come up; never a text the other assessor already wrote here.

    Where this assessor scores a criterion below the standard and the other at or above
    it, this one writes nothing on it: both watched the same conversation, so a note that
    something was missing must not contradict the other's note that it happened.
    """
    count = rng.randint(3, 6)
    general = 1 if rng.random() < 0.5 else 0
    usable = [c for c in rubric.criteria if not levels[c.id] < scale.meets <= other[c.id]]
    notable = [c.id for c in usable if levels[c.id] != scale.meets]
    ordinary = [c.id for c in usable if levels[c.id] == scale.meets]
    rng.shuffle(notable)
    rng.shuffle(ordinary)
    chosen = set((notable + ordinary)[: count - general])
    out: list[tuple[str | None, str, str]] = []
    for c in rubric.criteria:  # rubric order is roughly the order of the conversation
        if c.id not in chosen:
            continue
        pool = (bank.seen if levels[c.id] >= scale.meets else bank.missing).get(c.id, [])
        options = [p for p in pool if p[1] not in taken]
        if options:
            phase, text = rng.choice(options)
            taken.add(text)
            out.append((c.id, phase, text))
    free = [g for g in bank.general if g[1] not in taken]
    while len(out) < count and free:
        phase, text = free.pop(rng.randrange(len(free)))
        taken.add(text)
        out.insert(rng.randint(0, len(out)), (None, phase, text))
    return out


def _write_notes(
    d: _Day,
    who: Actor,
    sid: str,
    station: str,
    notes: list[tuple[str | None, str, str]],
    phases: Mapping[str, _Phase],
    rng: random.Random,
) -> None:
    for phase_name in ("role_play", "discussion"):
        mine = [(c, t) for c, p, t in notes if (p if p in phases else "role_play") == phase_name]
        phase = phases.get(phase_name)
        if phase is None:
            continue
        for k, (criterion, text) in enumerate(mine):
            span = phase.elapsed_ms
            clock = int(span * (k + 0.5) / len(mine)) + rng.randint(-40_000, 40_000)
            clock = min(max(clock, 15_000), span - 5_000)
            scoring.add_note(
                d.db,
                who,
                sid,
                station,
                text,
                criterion_id=criterion,
                phase=phase_name,
                phase_clock_ms=clock,
                written_at=phase.at(clock),
            )
            d.counts.notes += 1


def _reasons_for(
    bank: _Bank,
    rubric: Rubric,
    levels: Mapping[str, int],
    scale: _Scale,
    which: int,
) -> dict[str, str]:
    """The assessor's reason for each level below the standard, in their own words.

    ``which`` picks this assessor's wording (0 or 1), so two assessors who both found a
    criterion short of the standard say so differently. Never the rubric's descriptor,
    which says what a level means, not what this candidate did.
    """
    out: dict[str, str] = {}
    for c in rubric.criteria:
        if levels[c.id] >= scale.meets:
            continue
        said = bank.reasons.get(c.id) or [text for _phase, text in bank.missing.get(c.id, [])]
        if not said:  # pragma: no cover - every criterion of the demo packs has reasons
            raise RuntimeError(f"the demo has no reason for a low level on {c.heading()!r}")
        out[c.id] = _sentence(said[which % len(said)])
    return out


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "?", "!", '"', "'")) else text + "."


def _score_station(
    d: _Day,
    who: Actor,
    sid: str,
    pack: Pack,
    station: str,
    rubric: Rubric,
    levels: Mapping[str, int],
    reasons: Mapping[str, str],
) -> None:
    for c in rubric.criteria:
        # A level below the standard carries a reason: scoring.submit refuses one without.
        scoring.record_level(d.db, who, sid, station, c.id, levels[c.id], reasons.get(c.id))
    met, rationale = _station_met(pack, rubric, levels)
    scoring.set_judgement(d.db, who, sid, station, "met" if met else "not_met", rationale)


def _play_sitting(d: _Day, index: int, summary: SittingSummary) -> None:
    rng = random.Random(f"{SEED}:{summary.candidate_name}")
    detail = sittings.sitting_detail(d.db, d.manager, summary.id)
    pack = packs.pack_for_sitting(d.db, d.manager, summary.id)
    sid = summary.id
    assessors = [d.assessor(name) for name in summary.assessors]
    if len(assessors) != 2:
        raise UserError(f"{summary.candidate_name}'s sitting needs two assessors to be played through.")
    lead = assessors[0]
    struggle = STRUGGLES.get(summary.candidate_name)
    sheets = dict(zip((a.account_id for a in assessors), _intended_levels(pack, rng, struggle), strict=True))
    rubrics = dict(pack.rubrics())

    sittings.set_status(d.db, lead, sid, "checked_in")
    start = summary.starts_at if summary.starts_at.tzinfo else summary.starts_at.replace(tzinfo=UTC)
    t = start
    for k, scenario in enumerate(pack.scenarios):
        plans = [p.plan for p in timing.station_timing(d.db, lead, sid, scenario.id).phases]
        phases: dict[str, _Phase] = {}
        for plan in plans:
            pause_at = None
            if (index, k, plan.phase) == (_PAUSE_AT[0], _PAUSE_AT[1], "role_play"):
                pause_at = _PAUSE_AT[2]
            force = index == 0 and k == 0 and plan.phase == "role_play"
            phases[plan.phase] = d.run_phase(lead, sid, scenario.id, plan, t, rng, pause_at, force)
            t = phases[plan.phase].end + timedelta(
                seconds=rng.randint(30, 90) if plan.phase == "reading" else 0
            )
            if plan.phase == "role_play":
                t += timedelta(seconds=rng.randint(60, 120))  # the actor leaves; assessors settle
        scale = _scale(pack, scenario.rubric)
        taken: set[str] = set()
        for which, (who, other) in enumerate(zip(assessors, assessors[::-1], strict=True)):
            mine, theirs = sheets[who.account_id], sheets[other.account_id]
            bank = _BANKS.get(scenario.id, _Bank())
            notes = _notes_for(bank, scenario.rubric, mine, scale, rng, theirs, taken)
            _write_notes(d, who, sid, scenario.id, notes, phases, rng)
            reasons = _reasons_for(bank, scenario.rubric, mine, scale, which)
            _score_station(d, who, sid, pack, scenario.id, scenario.rubric, mine, reasons)
        gap = 15 if detail.candidate.break_between_scenarios else rng.randint(5, 7)
        t += timedelta(minutes=gap if k < len(pack.scenarios) - 1 else rng.randint(15, 20))

    we = pack.written_exercise
    if we is not None:
        grant = written.open_kiosk(d.db, lead, sid)
        text = _script_for(pack.level.value, rng)
        (plan,) = [p.plan for p in written.kiosk_timing(d.db, grant).phases]
        early = rng.random() < 0.5 and detail.candidate.extra_time_percent == 0
        elapsed = plan.adjusted_ms - (rng.randint(3, 8) * 60_000 if early else 0)
        d.event(grant.actor, sid, we.id, plan.phase, "start", t)  # the candidate presses Start
        paragraphs = text.split("\n\n")
        ended = t + timedelta(milliseconds=elapsed)
        for share in (0.3, 0.6, 0.9):  # the kiosk's autosave, as the candidate types
            typed = "\n\n".join(paragraphs[: max(1, int(len(paragraphs) * share))])
            written.save(d.db, grant, typed, at=t + timedelta(milliseconds=int(elapsed * share)))
        # Submitted when the writing ends: by the candidate, or by the clock at time up.
        written.submit(d.db, grant, text, "candidate" if early else "time_up", at=ended)
        d.event(grant.actor, sid, we.id, plan.phase, "end", ended)
        written.leave_kiosk(d.db, grant, lead.username, d.passwords[lead.username])
        d.counts.scripts += 1
        scale = _scale(pack, we.rubric)
        for which, who in enumerate(assessors):
            mine = sheets[who.account_id]
            reasons = _reasons_for(_Bank(), we.rubric, mine, scale, which)
            _score_station(d, who, sid, pack, we.id, rubrics[we.id], mine, reasons)

    for who in assessors:
        scoring.submit(d.db, who, sid)
    sittings.set_status(d.db, lead, sid, "complete")


def _outcome(d: _Day, summary: SittingSummary) -> CandidateOutcome:
    pack = packs.pack_for_sitting(d.db, d.manager, summary.id)
    detail = sittings.sitting_detail(d.db, d.manager, summary.id)
    sheets = []
    for sheet in detail.others:
        levels = {cid: lv for station in sheet.levels.values() for cid, lv in station.items()}
        result = evaluate_pack(pack, levels)
        sheets.append(SheetOutcome(sheet.assessor_name, bool(result.met), result.reasons))
    return CandidateOutcome(summary.candidate_name, summary.id, summary.level, tuple(sheets))


def fill_scored_day(db: Database, day: date) -> ScoredDaySummary:
    """Plays the demo ``day`` through to a finished, scored day (see the module docstring).

    The day must be as ``create_demo`` left it: every sitting still planned.
    """
    d = _Day(db, day)
    overview = sittings.day_overview(db, d.manager, day)
    if not overview.sittings:
        raise UserError(f"There are no sittings on {day:%d %B %Y}.")
    if any(s.status != "planned" for s in overview.sittings):
        raise Conflict("The demo day has already been started; it can only be played through once.")
    for index, summary in enumerate(overview.sittings):
        _play_sitting(d, index, summary)
    if not d.overran:
        raise RuntimeError("the demo day should show at least one phase running over")
    outcomes = tuple(_outcome(d, s) for s in overview.sittings)
    for c in outcomes:
        intended = c.candidate not in STRUGGLES
        if any(s.met != intended for s in c.sheets):
            raise RuntimeError(f"{c.candidate}: the scored outcome is not the one intended")
    return ScoredDaySummary(day, outcomes, d.counts.notes, d.counts.events, d.counts.scripts)
