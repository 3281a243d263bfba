"""`roomkey bench` against the real server: a few seconds of each workload to
prove the tool and the server work together. No speed is asserted here
(docs/performance.md has the measurements); correctness is. The bench sends
as fast as the server takes, so these servers run without a message-rate limit."""
import json
import subprocess

from roomkey_server import BINARY


def bench(srv, *args):
    result = subprocess.run([BINARY, "bench", "--port", str(srv.port), "--server-pid", str(srv.process.pid), *args],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["setup_ok"] and report["connect_errors"] == 0 and report["error_msgs"] == 0, report
    return report


def test_fanout_closed_loop_delivers_everything_to_the_right_rooms_only(make_server):
    srv = make_server("--max-messages-per-second", "0").start()
    report = bench(srv, "--rooms", "8", "--members", "5", "--inflight", "16", "--duration", "1", "--warmup", "0.3")
    assert report["sent"] > 0
    assert report["delivered"] == report["expected"] == report["sent"] * 4
    assert report["missing"] == 0 and report["echo"] == 0 and report["wrong_room"] == 0
    assert report["lat_p50_us"] <= report["lat_p99_us"] <= report["lat_max_us"]


def test_fanout_at_a_fixed_rate_sends_what_was_asked(make_server):
    srv = make_server("--max-messages-per-second", "0").start()
    report = bench(srv, "--rooms", "4", "--members", "3", "--rate", "20", "--duration", "1", "--warmup", "0.2")
    assert 12 * 20 * 0.5 <= report["sent"] <= 12 * 20 * 1.5
    assert report["missing"] == 0 and report["echo"] == 0 and report["wrong_room"] == 0


def test_idle_holds_every_connection_and_measures_server_memory(make_server):
    srv = make_server("--max-messages-per-second", "0").start()
    report = bench(srv, "--mode", "idle", "--rooms", "50", "--members", "10", "--duration", "1")
    assert report["connections_held"] == 500
    assert report["server_rss_kb_held"] >= report["server_rss_kb_before"] > 0


def test_churn_confirms_every_join(make_server):
    srv = make_server("--max-messages-per-second", "0").start()
    report = bench(srv, "--mode", "churn", "--rooms", "20", "--members", "6")
    assert report["completed"] == report["churners"] == 100
    assert report["joins_confirmed"] == 100
    assert report["churn_per_s"] > 0


def test_fanout_in_protocol_2_sees_every_offset_once_in_order(make_server):
    srv = make_server("--max-messages-per-second", "0").start()
    report = bench(srv, "--protocol", "2", "--rooms", "8", "--members", "5", "--inflight", "8", "--duration", "1",
                   "--warmup", "0.3")
    assert report["protocol"] == 2 and report["sent"] > 0
    assert report["delivered"] == report["expected"] and report["missing"] == 0 and report["echo"] == 0
    # every member checks each offset it sees: publications from others, acks of its own
    assert report["offsets_checked"] > report["delivered"]
    assert report["offset_gaps"] == 0 and report["offset_duplicates"] == 0


def test_resume_recovers_what_members_missed_while_dropped(make_server):
    srv = make_server("--max-messages-per-second", "0").start()
    report = bench(srv, "--protocol", "2", "--mode", "resume", "--rooms", "6", "--members", "4", "--rate", "50",
                   "--resume-rate", "40", "--duration", "1.5", "--warmup", "0.3")
    assert report["resumes"] >= 30
    assert report["recovered"] + report["not_recovered"] <= report["resumes"]
    assert report["recovered"] >= report["resumes"] - 2  # the last few may still be on their way
    assert report["not_recovered"] == 0  # well inside the history window
    assert report["resume_missing"] == 0 and report["offset_gaps"] == 0 and report["offset_duplicates"] == 0


def test_resume_beyond_the_history_window_is_reported_not_recovered(make_server):
    srv = make_server("--max-messages-per-second", "0", "--history-size", "1").start()
    report = bench(srv, "--protocol", "2", "--mode", "resume", "--rooms", "2", "--members", "6", "--rate", "200",
                   "--resume-rate", "20", "--duration", "1", "--warmup", "0.3")
    assert report["not_recovered"] > 0
    assert report["resume_missing"] == 0 and report["offset_duplicates"] == 0


def test_a_setup_the_server_refuses_ends_the_run_with_the_reason(make_server):
    srv = make_server("--max-messages-per-second", "0", "--max-creates-per-minute", "2").start()
    result = subprocess.run([BINARY, "bench", "--port", str(srv.port), "--rooms", "4", "--members", "2",
                             "--duration", "1"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "the server refused a client during setup" in result.stderr
    assert "Too many rooms created from your address" in result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1])["setup_ok"] is False
