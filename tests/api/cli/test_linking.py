"""`screening signals import`, `links show|sweep` and `clusters list|show|decide` end to end."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from screening.linking.models import AccountSignal

CUSTOMERS = (
    "external_id,name,account_ids\n"
    "kmdtc,Korea Mining Development Trading Corp,A-17\n"
    "shell,Bright Future Research,B-1;B-2\n"
    "other,Acme Widgets,C-1\n"
)
SIGNALS = (
    "account_id,payment_fingerprint,device_id,phone,ip,billing_address\n"
    "A-17,fp_1,,,,\n"
    "A-17,fp_9,,,,\n"
    "B-1,fp_1,dev-1,,81.2.69.10,\n"
    "B-1,fp_9,,,,\n"
    "B-2,,DEV-1,,,\n"
    "C-1,,,0207 946 0018,,\n"  # no country code: refused
    "nobody,fp_2,,,,\n"  # unknown account: refused
    'C-1,,,,10.1.1.1,"{""city"": ""Leeds""}"\n'  # a private address: refused
    "C-1,fp_3,,,,,extra\n"  # one cell too many: refused
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def shown_at(run, tmp_path: Path, kind: str, a17: tuple[str, str], b1: tuple[str, str]) -> None:
    """The customers imported, then one value of `kind` each for A-17 and B-1, shown then."""
    assert run("customers", "import", str(write(tmp_path, "c.csv", CUSTOMERS))).exit_code == 0
    rows = f"account_id,{kind},observed_at\n" + "".join(
        f"{account},{value},{day}T00:00:00Z\n"
        for account, (value, day) in (("A-17", a17), ("B-1", b1))
    )
    assert run("signals", "import", str(write(tmp_path, "s.csv", rows))).exit_code == 0


def test_import_keeps_good_rows_reports_bad_ones_and_links(run, loaded, sessions, tmp_path):
    imported = run("customers", "import", str(write(tmp_path, "c.csv", CUSTOMERS)))
    assert imported.exit_code == 0, imported.output
    result = run("signals", "import", str(write(tmp_path, "s.csv", SIGNALS)))
    assert result.exit_code == 1
    assert "line 7: phone '0207 946 0018' is not a phone number with its country code" in (
        result.stderr
    )
    assert "line 8: account 'nobody' is unknown" in result.stderr
    assert "line 9: ip 10.1.1.1 is not a public address" in result.stderr
    assert "line 10: 1 more cells than the header has columns" in result.stderr
    assert "9 rows: 5 stored" in result.stdout
    assert "2 accounts sent to review by links" in result.stdout
    with sessions() as db:
        assert db.scalar(select(func.count()).select_from(AccountSignal)) == 7

    shown = run("links", "show", "B-2")
    assert shown.exit_code == 0, shown.output
    assert "link B-1: 1.0 by device_id" in shown.stdout
    assert (
        "shares device id with account B-1, which shares payment fingerprint with account A-17"
        in (shown.stdout)
    )
    listed = run("clusters", "list")
    assert "1 open       1 roots, 2 members" in listed.stdout
    decided = run("clusters", "decide", "1", "--decision", "deny", "--note", "one operator")
    assert decided.exit_code == 0, decided.output
    assert "cluster 1: denied" in decided.stdout
    assert "denied    B-2" in run("clusters", "show", "1").stdout
    assert run("links", "sweep").stdout.startswith("0 newly denied accounts")


def test_a_file_that_cannot_be_read_is_refused_whole(run, tmp_path):
    bad = run("signals", "import", str(write(tmp_path, "s.csv", "id,device\nx,y\n")))
    assert bad.exit_code == 2
    assert "needs a header with account_id" in bad.stderr
    missing = run("signals", "import", str(tmp_path / "absent.csv"))
    assert missing.exit_code == 2
    assert "cannot read" in missing.stderr
    assert run("clusters", "show", "9").exit_code == 2


def test_signals_expire_forgets_old_observations_and_shrinks_clusters(run, loaded, tmp_path):
    refused = run("signals", "expire")
    assert refused.exit_code == 2
    assert "give --max-age-days or set SCREENING_SIGNAL_MAX_AGE_DAYS" in refused.stderr
    shown_at(run, tmp_path, "payment_fingerprint", ("fp_1", "2026-11-30"), ("fp_1", "2024-01-10"))
    assert "cluster 1 (member): shares payment fingerprint with account A-17" in (
        run("links", "show", "B-1").stdout
    )
    expired = run("signals", "expire", "--max-age-days", "365")
    assert expired.exit_code == 0, expired.output
    assert "1 observations older than 365 days forgotten" in expired.stdout
    assert "1 accounts left review" in expired.stdout
    after = run("links", "show", "B-1").stdout
    assert "cluster 1" not in after
    assert "payment_fingerprint" not in after  # the observation itself is gone


def test_signals_rotation_counts_the_values_not_shown_since(run, loaded, tmp_path):
    shown_at(run, tmp_path, "device_id", ("dev-0", "2026-11-30"), ("dev-1", "2024-01-10"))
    counted = run("signals", "rotation", "--since", "2025-06-01")
    assert counted.exit_code == 0, counted.output
    assert "1 of 2 signal values not shown since 2025-06-01 00:00 UTC" in counted.stdout
    assert "still under the previous key" in counted.stdout
    assert "the previous key can go" in run("signals", "rotation", "--since", "2020-01-01").stdout
    refused = run("signals", "rotation", "--since", "last tuesday")
    assert refused.exit_code == 2
    assert "--since" in refused.stderr
