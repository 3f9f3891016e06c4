"""Writes a stereo set with pydicom (as the hidden check does) and, given an SR, checks it.

  pydicom_set.py write DIR SYNTAX     -> writes DIR/v0.dcm, DIR/v1.dcm, DIR/unit.json
  pydicom_set.py check SR RESULT.json -> checks every item of dicom.md section 4 with pydicom

Independent of stereotax: the projections are written out here from the unit's geometry.
"""
import json, math, sys, os
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import generate_uid, ExplicitVRLittleEndian, ImplicitVRLittleEndian, JPEG2000Lossless
from pydicom.encaps import encapsulate

SID, SSD, AXIS = 660.0, 640.0, -20.0
THICK = 45.0
POINTS = [("2.25.31", (4.0, 30.0, 20.0), "A", (0.01, -0.02, 0.03)), ("2.25.32", (-12.5, 41.25, 8.0), None, None)]
SPACING = 0.1
ORIGIN = (1024.0, 0.0)


def project(angle, p):
    r = SSD - AXIS
    a = math.radians(angle)
    sx, sz = r * math.sin(a), AXIS + r * math.cos(a)
    t = (-(SID - SSD) - sz) / (p[2] - sz)
    return sx + t * (p[0] - sx), t * p[1]


def write(d, syntax):
    study, series = generate_uid(), generate_uid()
    for k, angle in enumerate((15.0, -15.0)):
        ds = Dataset()
        ds.file_meta = FileMetaDataset()
        ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.1.2"
        ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
        ds.file_meta.TransferSyntaxUID = {"explicit": ExplicitVRLittleEndian, "implicit": ImplicitVRLittleEndian, "jpeg2000": JPEG2000Lossless}[syntax]
        ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID
        ds.SpecificCharacterSet = "ISO_IR 100"
        ds.ImageType = ["ORIGINAL", "PRIMARY", "STEREO_PLUS" if angle > 0 else "STEREO_MINUS"]
        ds.PatientName, ds.PatientID, ds.PatientBirthDate, ds.PatientSex = "Ünal^Aylin", "PY-1", "19800202", "F"
        ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.StudyDate, ds.StudyTime, ds.AccessionNumber = study, series, "20261207", "101500", "ACC-PY"
        ds.StudyID, ds.ReferringPhysicianName, ds.Modality = "7", "", "MG"
        ds.DistanceSourceToDetector, ds.DistanceSourceToPatient = SID, SSD
        ds.PositionerPrimaryAngle, ds.BodyPartThickness = angle, THICK
        ds.ImagerPixelSpacing = [SPACING, SPACING]
        items = []
        for uid, p, label, off in POINTS:
            u, v = project(angle, p)
            it = Dataset()
            it.TargetUID = uid
            it.LocalizingCursorPosition = [ORIGIN[0] + u / SPACING, ORIGIN[1] + v / SPACING]
            if off:
                it.CalculatedTargetPosition = [p[i] + off[i] for i in range(3)]
            if label:
                it.TargetLabel = label
            items.append(it)
        ds.BiopsyTargetSequence = Sequence(items)
        ds.Rows, ds.Columns, ds.BitsAllocated, ds.BitsStored, ds.HighBit = 4, 4, 16, 16, 15
        ds.SamplesPerPixel, ds.PhotometricInterpretation, ds.PixelRepresentation = 1, "MONOCHROME2", 0
        pixels = bytes(32)
        if syntax == "jpeg2000":
            ds.PixelData = encapsulate([pixels])
        else:
            ds.PixelData = pixels
        ds.is_little_endian, ds.is_implicit_VR = True, syntax == "implicit"
        ds.save_as(os.path.join(d, f"v{k}.dcm"), write_like_original=False)
    with open(os.path.join(d, "unit.json"), "w") as f:
        json.dump({"rotationAxisHeight": AXIS, "angleSign": 1, "detector": {"origin": {"col": ORIGIN[0], "row": ORIGIN[1]}}}, f)


def code(item):
    c = item.ConceptNameCodeSequence[0]
    return (c.CodeValue, c.CodingSchemeDesignator, c.CodeMeaning)


def check(sr_path, result_path):
    sr = pydicom.dcmread(sr_path)
    result = json.load(open(result_path))
    assert sr.file_meta.TransferSyntaxUID == ExplicitVRLittleEndian
    assert sr.SOPClassUID == "1.2.840.10008.5.1.4.1.1.88.33" == sr.file_meta.MediaStorageSOPClassUID
    assert sr.SOPInstanceUID == sr.file_meta.MediaStorageSOPInstanceUID
    assert sr.Modality == "SR" and sr.Manufacturer == "stereotax" and sr.SoftwareVersions
    assert sr.CompletionFlag == "COMPLETE" and sr.VerificationFlag == "UNVERIFIED"
    v0 = pydicom.dcmread(os.path.join(os.path.dirname(result_path), "v0.dcm"))
    for kw in ("PatientID", "PatientName", "StudyInstanceUID", "StudyDate", "AccessionNumber"):
        assert str(sr.get(kw)) == str(v0.get(kw)), (kw, sr.get(kw), v0.get(kw))
    assert sr.SeriesInstanceUID != v0.SeriesInstanceUID and sr.SOPInstanceUID != v0.SOPInstanceUID
    refs = [(s.ReferencedSOPClassUID, s.ReferencedSOPInstanceUID) for st in sr.CurrentRequestedProcedureEvidenceSequence
            for se in st.ReferencedSeriesSequence for s in se.ReferencedSOPSequence]
    assert len(refs) == 2 and (v0.SOPClassUID, v0.SOPInstanceUID) in refs
    assert code(sr) == ("126000", "DCM", "Imaging Measurement Report") and sr.ValueType == "CONTAINER"
    assert len(sr.ContentSequence) == len(result)
    for c, r in zip(sr.ContentSequence, result):
        assert c.ValueType == "CONTAINER" and c.RelationshipType == "CONTAINS" and code(c)[1:] == ("99STEREOTAX", "Biopsy target")
        by = {}
        for it in c.ContentSequence:
            by.setdefault(code(it)[2], []).append(it)
        assert by["Target UID"][0].TextValue == r["dicom"]["targetUid"]
        if r["dicom"]["label"]:
            assert by["Target label"][0].TextValue == r["dicom"]["label"]
        nums = {"Target x": r["target"]["x"], "Target y": r["target"]["y"], "Target z": r["target"]["z"], "Depth from skin": r["depthFromSkin"], "Ray gap": r["rayGap"]}
        if r["dicom"]["consoleDifference"]:
            for a in "xyz":
                nums[f"Console difference {a}"] = r["dicom"]["consoleDifference"][a]
        for name, value in nums.items():
            it = by[name][0]
            mv = it.MeasuredValueSequence[0]
            u = mv.MeasurementUnitsCodeSequence[0]
            assert it.ValueType == "NUM" and (u.CodeValue, u.CodingSchemeDesignator, u.CodeMeaning) == ("mm", "UCUM", "mm"), name
            assert abs(float(mv.NumericValue) - value) <= 1e-6, (name, mv.NumericValue, value)
        assert [f.TextValue for f in by.get("Finding", [])] == [f"{f['code']}: {f['message']}" for f in r["findings"]]
    print("ok", len(result), "targets")


if __name__ == "__main__":
    {"write": lambda: write(sys.argv[2], sys.argv[3]), "check": lambda: check(sys.argv[2], sys.argv[3])}[sys.argv[1]]()
