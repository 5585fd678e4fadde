"""The Django admin's dealer export (django-import-export) guards formulas like the app's own exports."""

from __future__ import annotations

import csv
import io

from django.urls import reverse
from openpyxl import load_workbook

from partners.models import Dealer


def export(client, file_format: int) -> bytes:
    url = reverse("admin:partners_dealer_export")
    page = client.get(url)
    assert page.status_code == 200 and "onchange=" not in page.content.decode()
    response = client.post(
        url, {"format": file_format, "resource": 0, "dealerresource_code": "on", "dealerresource_name": "on"}
    )
    assert response.status_code == 200, response.content[:500]
    return response.content


def test_the_admin_export_writes_no_live_formula(client, admin_user, d):
    Dealer.objects.filter(pk=d["A1"].pk).update(name='=HYPERLINK("http://evil","点击")')
    client.force_login(admin_user)
    rows = list(csv.reader(io.StringIO(export(client, 0).decode("utf-8-sig"))))
    assert any(cell.startswith("'=HYPERLINK") for row in rows for cell in row)
    assert not any(cell.startswith("=") for row in rows for cell in row)
    sheet = load_workbook(io.BytesIO(export(client, 1))).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert any(str(cell.value).startswith("=HYPERLINK") for cell in cells)  # the text, as text
    assert all(cell.data_type != "f" for cell in cells)


def test_the_admin_import_reads_files_with_the_import_pages_guards(client, admin_user, d):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(admin_user)
    url = reverse("admin:partners_dealer_import")
    wide = ",".join(f"c{n}" for n in range(100_000)).encode() + b"\n"
    refused = client.post(url, {"format": 0, "resource": 0, "import_file": SimpleUploadedFile("d.csv", wide)})
    assert refused.status_code == 200 and "import_file" in refused.context["form"].errors
    assert Dealer.objects.count() == len(d)
    # an ordinary file goes on to the preview (the guard reads it as tablib did)
    good = "code,name,kind,tier,territory\nADM-1,管理员导入,dealer,standard,SH-PD\n".encode()
    preview = client.post(url, {"format": 0, "resource": 0, "import_file": SimpleUploadedFile("d.csv", good)})
    assert preview.status_code == 200 and not preview.context["form"].errors
    assert "ADM-1" in preview.content.decode()
