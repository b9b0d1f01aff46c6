"""Form rendering shared by every app: one field template with label, help and errors."""

from django.forms.renderers import TemplatesSetting


class UppsiktFormRenderer(TemplatesSetting):
    form_template_name = "includes/form.html"
    field_template_name = "includes/field.html"
