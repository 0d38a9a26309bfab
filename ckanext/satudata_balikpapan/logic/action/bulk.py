"""Bulk metadata through Excel: the upload of an OPD's filled-in "Templat Metadata"."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic import validate
from ckan.types import Context, DataDict

from ckanext.satudata_balikpapan.bulk import service as bulk
from ckanext.satudata_balikpapan.bulk import workbook
from ckanext.satudata_balikpapan.logic import schema
from ckanext.satudata_balikpapan.registry import opd

MAX_UPLOAD_BYTES = 20 * 1024**2  # one OPD's metadata: a few hundred KB in practice


def save_upload(upload: Any, folder: Path) -> Path:
    """The uploaded workbook on disk, refused beyond :data:`MAX_UPLOAD_BYTES` (also the
    Daftar Data's upload)."""
    stream = getattr(upload, "stream", None)
    if stream is None or not hasattr(stream, "read"):
        raise tk.ValidationError({"upload": [tk._("Attach the filled-in template (.xlsx)")]})
    path = folder / "templat.xlsx"
    with path.open("wb") as out:
        copied = 0
        for chunk in iter(lambda: stream.read(1024**2), b""):
            copied += len(chunk)
            if copied > MAX_UPLOAD_BYTES:
                raise tk.ValidationError({"upload": [tk._("The file is larger than {mb} MB").format(
                    mb=MAX_UPLOAD_BYTES // 1024**2)]})  # fmt: skip
            out.write(chunk)
    return path


@validate(schema.metadata_import_schema)
def satudata_metadata_import(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Create and update an OPD's datasets from its filled-in "Templat Metadata".

    Every row is checked with the dataset form's validators and auth functions first. With
    problems, nothing is applied (``applied`` false) unless ``only_valid``, which applies the
    rows without one. New datasets are drafts of the OPD; updates of published datasets go
    back under review, as any edit.

    :param organization: the OPD (name or id)
    :param upload: the workbook (multipart/form-data), at most 20 MB
    :param only_valid: apply the valid rows even when others have problems (default false)
    :returns: ``rows``, ``created``, ``updated`` (dataset names), ``applied`` and ``problems``
        (each: ``sheet``, ``row``, ``column`` letter, ``field``, ``message``)
    """
    tk.check_access("satudata_metadata_import", context, data_dict)
    org = opd.organization(data_dict["organization"])
    if org is None:
        raise tk.ObjectNotFound(tk._("Organization does not exist"))
    folder = Path(tempfile.mkdtemp(prefix="satudata-templat-"))
    try:
        path = save_upload(data_dict.get("upload"), folder)
        try:
            report = bulk.import_sheet(dict(context), org, path, only_valid=bool(data_dict.get("only_valid")))
        except workbook.SheetError as error:
            raise tk.ValidationError({"upload": [str(error)]}) from error
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return report.as_dict()
