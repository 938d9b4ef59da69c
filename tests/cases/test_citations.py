"""Citation hygiene over the curated bank.

Every teaching point, rationale, lesson and finding explanation either cites guideline
statements that support it or marks what goes beyond them with "Beyond this guideline:".
The labelled ones are listed in REVIEWED with a fingerprint of their text: each was read
against its named source (or found to need none). A new or changed labelled text fails
here until it has been reviewed the same way and its line updated (`print_labelled()` below,
run in `manage.py shell`, prints the current list).
"""

import hashlib

from cases.schema import BEYOND
from cases.services import read_curated


def fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def cited_texts(data: dict):
    """(location, text, statements, sites) for everything a learner reads that cites."""
    for lesson in data["lessons"]:
        yield f"lessons[{lesson['key']}]", lesson["text"], lesson["statements"], None
        yield f"lessons[{lesson['key']}].reminder", lesson["reminder"], lesson["statements"], None
    for finding in data["findings"]:
        if finding.get("explanation"):
            yield (
                f"findings[{finding['code']}].explanation",
                finding["explanation"],
                finding["statements"],
                None,
            )
    for case in data["cases"]:
        sites = {case["site"], *case.get("differential", [])}
        for i, point in enumerate(case["teaching_points"]):
            where = f"{case['slug']}.teaching_points[{i}]"
            yield where, point["text"], point["statements"], sites
        for k, option in enumerate((case["next_step"] or {}).get("options", [])):
            where = f"{case['slug']}.next_step.options[{k}]"
            yield where, option["rationale"], option["statements"], sites


def labelled() -> dict[str, str]:
    return {
        where: fingerprint(text)
        for where, text, _, _ in cited_texts(read_curated())
        if BEYOND in text
    }


def test_every_text_cites_a_statement_or_says_it_goes_beyond_the_guideline():
    for where, text, statements, _ in cited_texts(read_curated()):
        if where.startswith("findings["):
            continue  # a finding's own statements are cited on its line when in scope
        assert statements or text.startswith(BEYOND), where


def test_the_label_opens_the_part_that_goes_beyond():
    for where, text, _, _ in cited_texts(read_curated()):
        if BEYOND in text:
            before = text.split(BEYOND, 1)[0]
            assert before == "" or before.endswith((". ", ".) ", ": ", "; ")), where
            assert text.count(BEYOND) == 1, where


# Points that cite a lesson about motor neuron disease to say that it does not apply here.
CONTRASTS = {
    "acute-stroke-flaccid-hemiplegia.teaching_points[2]",
}


def test_what_a_case_teaches_as_true_cites_only_statements_true_for_its_site():
    """Teaching points and the best option's rationale; a wrong option's rationale may cite
    a rule to say it does not apply here."""
    data = read_curated()
    scopes = {s["key"]: set(s["scope"]) for s in data["statements"]}
    correct = {
        f"{case['slug']}.next_step.options[{k}]"
        for case in data["cases"]
        for k, option in enumerate((case["next_step"] or {}).get("options", []))
        if option["correct"]
    }
    for where, _, statements, sites in cited_texts(data):
        if sites is None or where in CONTRASTS:
            continue
        if ".teaching_points[" not in where and where not in correct:
            continue
        for key in statements:
            assert not scopes[key] or scopes[key] & sites, f"{where} cites {key}"


def test_a_lesson_is_scoped_no_wider_than_the_statements_it_cites():
    data = read_curated()
    scopes = {s["key"]: set(s["scope"]) for s in data["statements"]}
    for lesson in data["lessons"]:
        for key in lesson["statements"]:
            if scopes[key]:
                assert lesson["scope"] and set(lesson["scope"]) <= scopes[key], (
                    f"lesson {lesson['key']} cites {key}"
                )


def test_every_labelled_text_has_been_reviewed():
    current = labelled()
    assert {k: v for k, v in current.items() if REVIEWED.get(k) != v} == {}
    assert sorted(set(REVIEWED) - set(current)) == []


def print_labelled() -> None:
    for where, mark in sorted(labelled().items()):
        print(f'    "{where}": "{mark}",')


# Read in the clinical reviews of this bank against the guideline and sources.md.
REVIEWED: dict[str, str] = {
    "acute-stroke-flaccid-hemiplegia.teaching_points[0]": "ce76d3d2982c",
    "acute-stroke-flaccid-hemiplegia.teaching_points[1]": "5289e398a7d7",
    "acute-stroke-flaccid-hemiplegia.teaching_points[2]": "97fb34572a34",
    "adult-spinal-muscular-atrophy.next_step.options[0]": "add4620816b5",
    "adult-spinal-muscular-atrophy.next_step.options[3]": "731764fa721f",
    "adult-spinal-muscular-atrophy.teaching_points[0]": "ad59aa39b30f",
    "adult-spinal-muscular-atrophy.teaching_points[2]": "7d7d7a2fabfc",
    "adult-spinal-muscular-atrophy.teaching_points[3]": "6f67ee9dcfc6",
    "adult-spinal-muscular-atrophy.teaching_points[4]": "bbfbebdca696",
    "adult-spinal-muscular-atrophy.teaching_points[5]": "1be324d51108",
    "als-aspiration-pneumonia.next_step.options[0]": "4af90e982d66",
    "als-aspiration-pneumonia.next_step.options[3]": "002bfc933267",
    "als-aspiration-pneumonia.teaching_points[0]": "2bc670d7ddf2",
    "als-bulbar-onset.next_step.options[0]": "4c08d454465f",
    "als-bulbar-onset.next_step.options[2]": "9baaa92d17fd",
    "als-bulbar-onset.next_step.options[3]": "a7ee86718400",
    "als-bulbar-onset.teaching_points[0]": "0e4de04f327e",
    "als-bulbar-onset.teaching_points[1]": "bc172df0e0ae",
    "als-confirmed-by-tests.teaching_points[1]": "2593bae60dff",
    "als-confirmed-by-tests.teaching_points[2]": "e8b5ebe4dad0",
    "als-confirmed-by-tests.teaching_points[3]": "4fcafd2fb6c6",
    "als-foot-drop-brisk-reflexes.teaching_points[0]": "95dfe545410d",
    "als-foot-drop-brisk-reflexes.teaching_points[1]": "22152d8b4262",
    "als-limb-onset.next_step.options[0]": "1f8597a39077",
    "als-limb-onset.next_step.options[2]": "4538afe26133",
    "als-limb-onset.next_step.options[3]": "0be14da0ca8b",
    "als-limb-onset.teaching_points[0]": "0c8d9d53856a",
    "als-limb-onset.teaching_points[2]": "9b1b149af2c4",
    "als-limb-onset.teaching_points[3]": "10b7b25a9f11",
    "als-respiratory-insufficiency.next_step.options[0]": "197287b3bd4c",
    "als-respiratory-insufficiency.next_step.options[1]": "a57b93758a38",
    "als-respiratory-insufficiency.teaching_points[0]": "2e1452a99bd6",
    "anterior-spinal-artery-infarct.teaching_points[0]": "fa3eb41f3dd1",
    "anterior-spinal-artery-infarct.teaching_points[1]": "e2bedcd6e07c",
    "anterior-spinal-artery-infarct.teaching_points[2]": "9133ca135636",
    "becker-muscular-dystrophy.next_step.options[0]": "e59f8315a874",
    "becker-muscular-dystrophy.next_step.options[3]": "8577189caa93",
    "becker-muscular-dystrophy.teaching_points[0]": "50be1f32ad7e",
    "becker-muscular-dystrophy.teaching_points[1]": "87581fe93f12",
    "becker-muscular-dystrophy.teaching_points[2]": "b593ff78bcc3",
    "bulbospinal-muscular-atrophy.next_step.options[1]": "a814931b4ec0",
    "bulbospinal-muscular-atrophy.teaching_points[0]": "9fa10517a2a6",
    "bulbospinal-muscular-atrophy.teaching_points[1]": "a92cd66b4658",
    "bulbospinal-muscular-atrophy.teaching_points[2]": "b1e9df64186e",
    "c7-radiculopathy.teaching_points[0]": "c29ca36ea4bc",
    "c7-radiculopathy.teaching_points[1]": "ab4bf73a4a04",
    "capsular-stroke-hemiparesis.teaching_points[0]": "5a9c1f5e150c",
    "capsular-stroke-hemiparesis.teaching_points[1]": "732536c1ecf3",
    "capsular-stroke-hemiparesis.teaching_points[2]": "f82748ccdf30",
    "cervical-myeloradiculopathy.next_step.options[0]": "7ac6cb87baaa",
    "cervical-myeloradiculopathy.next_step.options[1]": "013d02dfcc29",
    "cervical-myeloradiculopathy.next_step.options[2]": "1439ff6a1d5d",
    "cervical-myeloradiculopathy.next_step.options[3]": "59c9f1df3552",
    "cervical-myeloradiculopathy.teaching_points[0]": "02a367421c24",
    "cervical-myeloradiculopathy.teaching_points[1]": "deb17ab815b6",
    "cervical-spondylotic-myelopathy.next_step.options[0]": "025b492bb3ca",
    "cervical-spondylotic-myelopathy.next_step.options[1]": "b0f12313d192",
    "cervical-spondylotic-myelopathy.next_step.options[2]": "fc16e4b0c2ce",
    "cervical-spondylotic-myelopathy.teaching_points[0]": "2d070c627bfd",
    "cervical-spondylotic-myelopathy.teaching_points[1]": "174e7a4a9c77",
    "cervical-syrinx.next_step.options[0]": "d3f0306d36d2",
    "cervical-syrinx.next_step.options[1]": "6fdd259ef53a",
    "cervical-syrinx.next_step.options[2]": "a9f328a52cea",
    "cervical-syrinx.next_step.options[3]": "d329aaeb001c",
    "cervical-syrinx.teaching_points[0]": "f0d65a102588",
    "cervical-syrinx.teaching_points[1]": "01657247e02f",
    "dermatomyositis-proximal-weakness.next_step.options[0]": "e6c770556281",
    "dermatomyositis-proximal-weakness.next_step.options[3]": "983475245031",
    "dermatomyositis-proximal-weakness.teaching_points[0]": "681935632318",
    "dermatomyositis-proximal-weakness.teaching_points[1]": "b3415091d491",
    "dermatomyositis-proximal-weakness.teaching_points[2]": "f147e2e81fcd",
    "dermatomyositis-proximal-weakness.teaching_points[3]": "e5aa9a4e5274",
    "findings[brisk_jaw_jerk].explanation": "f9d1d0f81f7d",
    "findings[fatigable_weakness].explanation": "eb58a1637c6a",
    "findings[forehead_sparing_facial_weakness].explanation": "cce7739ed1e2",
    "findings[hoffmann_sign].explanation": "e2c5062e11a6",
    "findings[mri_corticospinal_signal].explanation": "dc9c2ee44532",
    "findings[sensory_level].explanation": "c4074854dc9d",
    "findings[sphincter_dysfunction].explanation": "0b06f88f206e",
    "findings[whole_face_weakness].explanation": "b4a456c668e1",
    "functional-weakness.teaching_points[1]": "6025f206f0a8",
    "functional-weakness.teaching_points[2]": "437162f155fb",
    "functional-weakness.teaching_points[3]": "136da409cdbc",
    "functional-weakness.teaching_points[4]": "abf778c665c0",
    "generalised-myasthenia-gravis.next_step.options[0]": "c09b302850b0",
    "generalised-myasthenia-gravis.next_step.options[3]": "b7d5d7eedbec",
    "generalised-myasthenia-gravis.teaching_points[0]": "d5454785607f",
    "guillain-barre-syndrome.next_step.options[0]": "512da08124da",
    "guillain-barre-syndrome.next_step.options[1]": "b30e6bbf3478",
    "guillain-barre-syndrome.next_step.options[2]": "693e534bf478",
    "guillain-barre-syndrome.next_step.options[3]": "5e70c7a06244",
    "guillain-barre-syndrome.next_step.options[4]": "f9ebdf707fd8",
    "guillain-barre-syndrome.teaching_points[0]": "4826fe6094af",
    "guillain-barre-syndrome.teaching_points[2]": "d9101f29f8bd",
    "hereditary-spastic-paraplegia.teaching_points[0]": "fdf9f09e0e08",
    "hereditary-spastic-paraplegia.teaching_points[1]": "3f0c33bb91a8",
    "inclusion-body-myositis.teaching_points[0]": "266d324f3f39",
    "l5-radiculopathy-foot-drop.teaching_points[0]": "e30704fad7e3",
    "l5-radiculopathy-foot-drop.teaching_points[1]": "2bb734cfbf18",
    "l5-radiculopathy-foot-drop.teaching_points[2]": "f8507956863d",
    "lambert-eaton-myasthenic-syndrome.teaching_points[0]": "b638493dcb74",
    "lambert-eaton-myasthenic-syndrome.teaching_points[1]": "e99e36505749",
    "lambert-eaton-myasthenic-syndrome.teaching_points[2]": "5f8cfd31378c",
    "lateral-medullary-vocal-fold-palsy.teaching_points[0]": "4562c0c5827d",
    "lateral-medullary-vocal-fold-palsy.teaching_points[1]": "a2f3b9f9c6d9",
    "lateral-medullary-vocal-fold-palsy.teaching_points[2]": "9ced558b1439",
    "lateral-medullary-vocal-fold-palsy.teaching_points[3]": "bfff0fff92ae",
    "length-dependent-sensory-neuropathy.teaching_points[0]": "15edafba2111",
    "length-dependent-sensory-neuropathy.teaching_points[1]": "e532f0653f56",
    "lessons[creatine-kinase-motor-neuron-exceptions]": "efa79d1c9a89",
    "lessons[creatine-kinase-motor-neuron-exceptions].reminder": "a3062548240c",
    "lessons[creatine-kinase]": "892a98bf2f39",
    "lessons[edx-lower-motor-neuron-lesion]": "34b1237ddd1d",
    "lessons[edx-motor-neuron-disease-done]": "42e04dd4a21c",
    "lessons[edx-motor-neuron-disease]": "c32a29be841e",
    "lessons[edx-nerve-timing]": "184bd4752411",
    "lessons[edx-nerve-timing].reminder": "5c97924ac62a",
    "lessons[edx-root-timing]": "fe26d9b7d3ea",
    "lessons[edx-root-timing].reminder": "b3c477e02f75",
    "lessons[mixed-one-or-two-lesions]": "1fba28fdf2e7",
    "lessons[mixed-one-or-two-lesions].reminder": "20c355b0f969",
    "lessons[mri-brain-first]": "6078161673dd",
    "lessons[mri-brain-first].reminder": "15cdb59a777d",
    "lessons[neither-junction-or-muscle]": "b2e2b5812e0b",
    "lessons[sensory-motor-neuron-disease]": "d327efc07cb6",
    "lessons[sensory-motor-neuron-disease].reminder": "740303c997d9",
    "lessons[site-brainstem]": "3c219587ee0c",
    "lessons[site-brainstem].reminder": "61cf0d7081a4",
    "lessons[site-cerebrum]": "8b331a114a2f",
    "lessons[site-cerebrum].reminder": "aa7e2a2440b9",
    "lessons[site-functional]": "d4367c37217a",
    "lessons[site-functional].reminder": "377fe3ff240d",
    "lessons[site-motor-neuron]": "3665a64cafad",
    "lessons[site-motor-neuron].reminder": "397a98ac90db",
    "lessons[site-multiple]": "d8f9d59ad349",
    "lessons[site-multiple].reminder": "8006f0665a97",
    "lessons[site-muscle]": "dfe13a4ab939",
    "lessons[site-muscle].reminder": "8b5566f6b148",
    "lessons[site-nerve]": "4645178be187",
    "lessons[site-nerve].reminder": "f659e28b4ae6",
    "lessons[site-nmj]": "753876417765",
    "lessons[site-nmj].reminder": "96120d88fc1e",
    "lessons[site-other]": "39e78de4d9d2",
    "lessons[site-other].reminder": "13f458fcf56b",
    "lessons[site-plexus]": "b5b0603a8180",
    "lessons[site-plexus].reminder": "4ab32354c25f",
    "lessons[site-root]": "939b5028d889",
    "lessons[site-root].reminder": "dfb37cd76ac4",
    "lessons[site-spinal-cord]": "8ce760db3c04",
    "lessons[site-spinal-cord].reminder": "282737318f65",
    "lessons[watch-for-lmn]": "dd1014a4ca50",
    "lupus-myelopathy.next_step.options[1]": "365093457ab7",
    "lupus-myelopathy.teaching_points[0]": "c62853cc47a6",
    "lupus-myelopathy.teaching_points[1]": "a77ca92902bc",
    "lupus-myelopathy.teaching_points[2]": "53f259c60cce",
    "neuralgic-amyotrophy.next_step.options[0]": "3fa6b570d464",
    "neuralgic-amyotrophy.next_step.options[1]": "d0709e580752",
    "neuralgic-amyotrophy.next_step.options[2]": "112ed1e746fe",
    "neuralgic-amyotrophy.next_step.options[3]": "2e6c53077df1",
    "neuralgic-amyotrophy.teaching_points[0]": "d5c20c76738c",
    "neuralgic-amyotrophy.teaching_points[1]": "15ab01b2c474",
    "neuralgic-amyotrophy.teaching_points[2]": "7deea01f80e1",
    "paralytic-poliomyelitis.next_step.options[0]": "d0fbe83ab451",
    "paralytic-poliomyelitis.next_step.options[1]": "6b8034e0b1df",
    "paralytic-poliomyelitis.next_step.options[2]": "799f2ec6ebba",
    "paralytic-poliomyelitis.next_step.options[3]": "3af7d772de7f",
    "paralytic-poliomyelitis.next_step.options[4]": "da8fc2545cf5",
    "paralytic-poliomyelitis.teaching_points[0]": "9e918c393ee6",
    "paralytic-poliomyelitis.teaching_points[1]": "1737157a40f9",
    "paralytic-poliomyelitis.teaching_points[2]": "97c0ce8c2925",
    "parasagittal-meningioma-paraparesis.next_step.options[0]": "d59fe4cfe327",
    "parasagittal-meningioma-paraparesis.next_step.options[1]": "d5c9fcc2bf87",
    "parasagittal-meningioma-paraparesis.next_step.options[2]": "215986750b9c",
    "parasagittal-meningioma-paraparesis.next_step.options[3]": "cb022f1496da",
    "parasagittal-meningioma-paraparesis.teaching_points[0]": "14174abce5cd",
    "parasagittal-meningioma-paraparesis.teaching_points[1]": "205b02cec0b4",
    "primary-lateral-sclerosis.next_step.options[0]": "c97c081533d9",
    "primary-lateral-sclerosis.next_step.options[1]": "1c332dafd652",
    "primary-lateral-sclerosis.teaching_points[0]": "98e1e202fda1",
    "primary-lateral-sclerosis.teaching_points[1]": "48fc5821d86c",
    "progressive-muscular-atrophy.next_step.options[1]": "c561d44a19b6",
    "progressive-muscular-atrophy.teaching_points[0]": "6580cc88e254",
    "progressive-muscular-atrophy.teaching_points[1]": "545f8b10bfbd",
    "progressive-muscular-atrophy.teaching_points[2]": "fad7b4937c4b",
    "pseudobulbar-palsy-small-vessel.teaching_points[0]": "bfb392b0ac1d",
    "pseudobulbar-palsy-small-vessel.teaching_points[1]": "8cff7b893f39",
    "recurrent-laryngeal-nerve-palsy.next_step.options[0]": "11b649ad7c79",
    "recurrent-laryngeal-nerve-palsy.next_step.options[1]": "6adee8bd9f69",
    "recurrent-laryngeal-nerve-palsy.next_step.options[2]": "937826ed6385",
    "recurrent-laryngeal-nerve-palsy.next_step.options[3]": "08971c293a1d",
    "recurrent-laryngeal-nerve-palsy.teaching_points[0]": "b059fe74d974",
    "recurrent-laryngeal-nerve-palsy.teaching_points[1]": "dc03b85b2514",
    "recurrent-laryngeal-nerve-palsy.teaching_points[2]": "31d7961a1faa",
    "small-fibre-neuropathy-amyloid.teaching_points[0]": "2f6a5598da32",
    "small-fibre-neuropathy-amyloid.teaching_points[1]": "afbf5ad9c6df",
    "steroid-myopathy.next_step.options[0]": "24930f5ff021",
    "steroid-myopathy.next_step.options[1]": "2239c6f7a2b6",
    "steroid-myopathy.next_step.options[2]": "5cdf25851a37",
    "steroid-myopathy.next_step.options[3]": "a8203631521a",
    "steroid-myopathy.teaching_points[0]": "8cb9e8c91681",
    "steroid-myopathy.teaching_points[1]": "4430cb148f44",
    "subacute-combined-degeneration.teaching_points[0]": "ba6333d5cb1e",
    "subacute-combined-degeneration.teaching_points[1]": "5c99bd5ffbba",
    "tandem-spinal-stenosis.next_step.options[0]": "5f6b2d6b7820",
    "tandem-spinal-stenosis.next_step.options[1]": "e7d58f91016a",
    "tandem-spinal-stenosis.next_step.options[2]": "c3aa5babe76d",
    "tandem-spinal-stenosis.next_step.options[3]": "938503520aad",
    "tandem-spinal-stenosis.teaching_points[0]": "d1749d509b0b",
    "tandem-spinal-stenosis.teaching_points[1]": "108d15e91211",
    "thalamic-pure-sensory-stroke.teaching_points[0]": "80ccf33b5f9b",
    "thoracic-cord-injury-spinal-shock.teaching_points[0]": "27cb3884d56d",
    "thoracic-cord-injury-spinal-shock.teaching_points[1]": "edcf4f13f1f8",
    "thoracic-cord-injury-spinal-shock.teaching_points[2]": "d816042eb23d",
    "thyrotoxic-periodic-paralysis.next_step.options[0]": "80cb8d96935b",
    "thyrotoxic-periodic-paralysis.next_step.options[1]": "0f35388af51a",
    "thyrotoxic-periodic-paralysis.next_step.options[2]": "4146bd285d58",
    "thyrotoxic-periodic-paralysis.next_step.options[3]": "7d9dcd6b5c0a",
    "thyrotoxic-periodic-paralysis.teaching_points[0]": "c9ccec7b9fb9",
    "thyrotoxic-periodic-paralysis.teaching_points[1]": "2c4b6ffa1111",
    "ulnar-neuropathy-hand-wasting.next_step.options[0]": "a4e1b9670da9",
    "ulnar-neuropathy-hand-wasting.next_step.options[2]": "5d3eea4fce3c",
    "ulnar-neuropathy-hand-wasting.next_step.options[3]": "57fd1ba32b47",
    "ulnar-neuropathy-hand-wasting.teaching_points[0]": "91de5e502149",
    "ulnar-neuropathy-hand-wasting.teaching_points[1]": "04aedac0a636",
    "upper-motor-neuron-onset-now-mixed.teaching_points[0]": "f9361491971c",
    "upper-motor-neuron-onset-now-mixed.teaching_points[1]": "240f8ed0ff88",
    "upper-motor-neuron-onset-red-flags.next_step.options[0]": "c84508f1eea4",
    "upper-motor-neuron-onset-red-flags.next_step.options[3]": "ce920fb1a8da",
    "upper-motor-neuron-onset-red-flags.teaching_points[0]": "9e2af0059007",
    "upper-motor-neuron-onset-red-flags.teaching_points[1]": "bb543285a941",
    "upper-motor-neuron-onset-red-flags.teaching_points[2]": "641bbf37f9c1",
}
