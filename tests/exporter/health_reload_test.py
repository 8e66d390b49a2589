#!/usr/bin/env python3
"""/health and SIGHUP reload.

- /health: 200 while counting; 503 naming the device once the simulated
  memory expander is surprise-removed (topologies/removal.json, at 3 s), and
  cxl_cpmu_up for it drops to 0 while its last totals stay exported;
- reload: SIGHUP with a collection file that adds an event keeps every
  counter that is still counted from going backwards, adds the new event's
  counter and changes the interval; a broken file leaves the collection
  counting as before (and says so in the log).
Usage: health_reload_test.py EXPORTER
"""
import pathlib
import signal
import sys
import tempfile

from exporter_harness import TOPOLOGIES, check, exporter, metric_samples, wait_for


def samples(e):
    status, _, body = e.get("/metrics")
    check(status == 200, f"/metrics: {status}")
    return metric_samples(body.decode())


def endpoint(labels):
    return ("bus", '"0d"') in labels


def main():
    binary = sys.argv[1]
    with exporter(binary, ["--topology", str(TOPOLOGIES / "removal.json")]) as e:
        def gone():
            status, _, body = e.get("/health")
            return status == 503 and b"device gone: 0000:0d:00.0" in body and body
        body = wait_for(gone, "/health to report the removed device", timeout=60)
        print(f"/health after removal: {body.decode().strip()}")
        values = samples(e)
        ups = {k: v for k, v in values.items() if k[0] == "cxl_cpmu_up" and endpoint(k[1])}
        check(ups and all(v == 0 for v in ups.values()), f"cxl_cpmu_up of the removed device: {ups}")
        reads = [v for k, v in values.items() if k[0] == "cxl_mem_read_bytes_total" and endpoint(k[1])]
        check(reads and reads[0] > 0, "the removed device's last totals are no longer exported")

    work = pathlib.Path(tempfile.mkdtemp(prefix="cpmu-reload-"))
    config = work / "collection.yml"
    config.write_text("interval: 200ms\nevents:\n  endpoint: [s2m_drs_memdata, m2s_rwd_memwr_all]\n")
    with exporter(binary, ["--topology", str(TOPOLOGIES / "steady.json"), "--collection.file", str(config)]) as e:
        wait_for(lambda: any(k[0] == "cxl_mem_read_bytes_total" and v > 0 for k, v in samples(e).items()),
                 "the first read bytes")
        before = samples(e)
        check(not any(k[0] == "cxl_cpmu_m2s_req_memrd_total" and endpoint(k[1]) for k in before),
              "memrd counted on the endpoint before the reload")
        config.write_text("interval: 300ms\nevents:\n  endpoint: [s2m_drs_memdata, m2s_rwd_memwr_all, m2s_req_memrd]\n")
        e.signal(signal.SIGHUP)
        wait_for(lambda: "reloaded the collection file" in e.output(), "the reload")
        after = samples(e)
        check(any(k[0] == "cxl_cpmu_m2s_req_memrd_total" and endpoint(k[1]) for k in after),
              "the added event is not exported")
        check(after[("cxl_collection_interval_seconds", frozenset())] == 0.3, "the interval did not change")
        for key, value in before.items():
            if key[0].endswith("_total") and key in after:
                check(after[key] >= value, f"{key[0]} went backwards over the reload: {value} -> {after[key]}")
        kept = [k for k in before if k[0] == "cxl_mem_read_bytes_total"]
        check(kept and all(k in after for k in kept), "a counter still configured vanished")

        config.write_text("interval: [not a duration\n")
        e.signal(signal.SIGHUP)
        wait_for(lambda: "reload failed, still counting as before" in e.output(), "the failed reload to be logged")
        status, _, _ = e.get("/health")
        check(status == 200, f"/health after a failed reload: {status}")
        last = samples(e)
        check(any(k[0] == "cxl_cpmu_m2s_req_memrd_total" and endpoint(k[1]) for k in last),
              "a failed reload changed what is counted")
    print("health and reload: removal gives 503, reload keeps totals, a bad file keeps the old collection")
    return 0


if __name__ == "__main__":
    sys.exit(main())
