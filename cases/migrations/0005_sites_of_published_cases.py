"""Every published case needs a site before the constraint of 0006 can hold.

The curated cases get the site and differential their curated version now carries (the
curated loader then brings in the rest of the new version, as for any untouched case).
Any other published case goes back to review, for an instructor to set its site; nothing
else about it changes.
"""

from django.db import migrations

CURATED_SITES = {
    "acute-stroke-flaccid-hemiplegia": ("cerebrum", ["brainstem"]),
    "adult-spinal-muscular-atrophy": ("motor_neuron", ["muscle"]),
    "als-aspiration-pneumonia": ("motor_neuron", []),
    "als-bulbar-onset": ("motor_neuron", ["brainstem", "nmj"]),
    "als-confirmed-by-tests": ("motor_neuron", ["multiple", "nerve"]),
    "als-foot-drop-brisk-reflexes": ("motor_neuron", ["root", "nerve", "multiple", "spinal_cord"]),
    "als-limb-onset": ("motor_neuron", ["multiple", "nerve", "spinal_cord"]),
    "als-respiratory-insufficiency": ("motor_neuron", []),
    "anterior-spinal-artery-infarct": ("spinal_cord", []),
    "becker-muscular-dystrophy": ("muscle", ["motor_neuron"]),
    "bulbospinal-muscular-atrophy": ("motor_neuron", ["muscle", "nerve"]),
    "c7-radiculopathy": ("root", ["nerve", "spinal_cord"]),
    "capsular-stroke-hemiparesis": ("cerebrum", ["brainstem"]),
    "cervical-myeloradiculopathy": ("multiple", ["motor_neuron", "spinal_cord"]),
    "cervical-spondylotic-myelopathy": ("spinal_cord", ["motor_neuron"]),
    "cervical-syrinx": ("spinal_cord", ["motor_neuron"]),
    "dermatomyositis-proximal-weakness": ("muscle", ["nmj"]),
    "functional-weakness": ("functional", ["cerebrum", "spinal_cord"]),
    "generalised-myasthenia-gravis": ("nmj", ["brainstem", "muscle"]),
    "guillain-barre-syndrome": ("nerve", ["spinal_cord", "nmj"]),
    "hereditary-spastic-paraplegia": ("spinal_cord", ["motor_neuron", "cerebrum"]),
    "inclusion-body-myositis": ("muscle", ["motor_neuron"]),
    "l5-radiculopathy-foot-drop": ("root", ["nerve", "plexus"]),
    "lambert-eaton-myasthenic-syndrome": ("nmj", ["muscle", "nerve"]),
    "lateral-medullary-vocal-fold-palsy": ("brainstem", ["nerve"]),
    "length-dependent-sensory-neuropathy": ("nerve", ["spinal_cord"]),
    "lupus-myelopathy": ("spinal_cord", []),
    "neuralgic-amyotrophy": ("plexus", ["root", "nerve"]),
    "paralytic-poliomyelitis": ("spinal_cord", ["nerve"]),
    "parasagittal-meningioma-paraparesis": ("cerebrum", ["spinal_cord", "motor_neuron"]),
    "primary-lateral-sclerosis": ("motor_neuron", ["spinal_cord", "cerebrum"]),
    "progressive-muscular-atrophy": ("motor_neuron", ["nerve", "multiple", "spinal_cord", "root"]),
    "pseudobulbar-palsy-small-vessel": ("cerebrum", ["motor_neuron", "brainstem"]),
    "recurrent-laryngeal-nerve-palsy": ("nerve", ["brainstem", "other"]),
    "small-fibre-neuropathy-amyloid": ("nerve", []),
    "steroid-myopathy": ("muscle", ["nmj"]),
    "subacute-combined-degeneration": ("multiple", ["spinal_cord", "nerve"]),
    "tandem-spinal-stenosis": ("multiple", ["motor_neuron"]),
    "thalamic-pure-sensory-stroke": ("cerebrum", ["brainstem"]),
    "thoracic-cord-injury-spinal-shock": ("spinal_cord", []),
    "thyrotoxic-periodic-paralysis": ("muscle", ["nerve", "spinal_cord"]),
    "ulnar-neuropathy-hand-wasting": ("nerve", ["root", "plexus", "motor_neuron"]),
    "upper-motor-neuron-onset-now-mixed": ("motor_neuron", ["multiple", "spinal_cord"]),
    "upper-motor-neuron-onset-red-flags": ("motor_neuron", ["spinal_cord", "multiple"]),
}


def set_sites(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    for case in Case.objects.filter(status="published", site=""):
        if case.slug in CURATED_SITES:
            case.site, case.differential = CURATED_SITES[case.slug]
            case.save(update_fields=["site", "differential"])
        else:
            case.status = "review"
            case.save(update_fields=["status"])


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0004_sources_sites_lessons"),
    ]

    operations = [
        migrations.RunPython(set_sites, migrations.RunPython.noop),
    ]
