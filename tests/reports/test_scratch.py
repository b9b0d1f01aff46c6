import pytest
from django.utils import timezone

from reports import documents, rendering
from reports.documents import Spec

pytestmark = pytest.mark.django_db


def _render(name, spec, user):
    doc = documents.build(spec, as_of=timezone.now(), requested_by=user, version=1)
    html = rendering.render_html(doc)
    open(f"/tmp/rp/out/{name}.html", "w").write(html)
    pdf = rendering.html_to_pdf(html)
    open(f"/tmp/rp/out/{name}.pdf", "wb").write(pdf.content)


@pytest.mark.parametrize("audience", ["board", "internal"])
def test_render_all(annual, audit_chain, coordinator, world, audience):
    _render(f"annual-{audience}", Spec(kind="annual_follow_up", unit=annual.unit, audience=audience, year=2017), coordinator)
    _render(f"overall-{audience}", Spec(kind="overall_assessment", unit=world.root, audience=audience, year=2017), coordinator)
    _render(f"audit-{audience}", Spec(kind="audit_follow_up", unit=world.sn, audience=audience, audit=audit_chain.follow_up_2017), coordinator)
    _render(f"actions-{audience}", Spec(kind="action_plan", unit=world.root, audience=audience), coordinator)
    _render(f"systems-{audience}", Spec(kind="system_inventory", unit=world.root, audience=audience), coordinator)
