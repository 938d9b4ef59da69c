from django.apps import AppConfig


class NeurolocalizeConfig(AppConfig):
    name = "neurolocalize"
    verbose_name = "NeuroLocalize"
