from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0005_sites_of_published_cases'),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='case',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'published'), _negated=True), models.Q(('site', ''), _negated=True), _connector='OR'), name='published_case_has_site', violation_error_message="A published case needs the lesion's site."),
        ),
    ]
