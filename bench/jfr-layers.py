#!/usr/bin/env python3
"""Where a connscope run's CPU and allocation go, per layer, from a JFR recording.

    bench/profile.sh FILE            records bench/data/FILE's analysis and runs this on it
    bench/jfr-layers.py REC.jfr      prints the tables (Markdown)

Each CPU sample (jdk.ExecutionSample) and each allocation sample (jdk.ObjectAllocationSample,
weighted by the bytes it stands for) is charged to the innermost connscope frame of its stack:
its package is the layer (capture, decode, tcp, http, detect, analysis, report, cli), so JDK
code called by a layer counts for that layer. Jackson frames above the report layer are shown as
their own row ("report: Jackson"), and the report layer is split into the JSON writer and the rest.
A sample with no connscope frame is "JFR itself" when JFR's own code is on the stack (it reads
the container's metrics), else "JVM / JDK only" (JVM start, class loading). Below the layer table: the methods with the largest shares (the innermost
connscope method, and the innermost frame when it is not connscope's).
"""
import collections
import json
import subprocess
import sys

JSON_WRITER = ("JsonReportWriter", "TransactionJson", "WriterThread", "SpoolFile", "ReportSet")


def frames(event):
    st = event["values"].get("stackTrace") or {}
    out = []
    for f in st.get("frames") or []:
        m = f["method"]
        cls = m["type"]["name"].replace("/", ".")
        out.append((cls, m["name"]))
    return out


def layer(fs):
    """(layer, innermost connscope method, innermost frame) for a stack, top frame first."""
    jackson = False
    for cls, name in fs:
        if cls.startswith("com.fasterxml.jackson"):
            jackson = True
        if cls.startswith("io.connscope."):
            pkg = cls.split(".")[2]
            simple = cls.rsplit(".", 1)[1]
            where = f"{simple}.{name}"
            if pkg == "report":
                if jackson:
                    return "report: Jackson (JSON generator or parser)", where
                if simple.split("$")[0] in JSON_WRITER:
                    return "report: JSON writer (connscope code)", where
                return "report: other", where
            if pkg == "capture" and ".live" in cls:
                pkg = "capture.live"
            return pkg, where
    top = (fs[0][0].rsplit(".", 1)[-1] + "." + fs[0][1]) if fs else "?"
    if any(cls.startswith(("jdk.jfr.", "jdk.internal.platform.")) for cls, _ in fs):
        return "JFR itself (container metrics)", top
    return "JVM / JDK only", top


def load(rec, event):
    out = subprocess.run(["jfr", "print", "--json", "--stack-depth", "64", "--events", event, rec],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)["recording"]["events"]


def table(title, unit, weights_by_layer, weights_by_method, total, top=15):
    print(f"\n{title} (total {total:,.0f} {unit})\n")
    print(f"| layer | {unit} | share |")
    print("|---|---:|---:|")
    for k, v in sorted(weights_by_layer.items(), key=lambda kv: -kv[1]):
        print(f"| {k} | {v:,.0f} | {100 * v / total:.1f}% |")
    print(f"\n| method (innermost connscope frame; innermost frame) | layer | {unit} | share |")
    print("|---|---|---:|---:|")
    for (lay, where), v in sorted(weights_by_method.items(), key=lambda kv: -kv[1])[:top]:
        print(f"| `{where}` | {lay} | {v:,.0f} | {100 * v / total:.1f}% |")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: jfr-layers.py REC.jfr")
    rec = sys.argv[1]
    cpu_layer, cpu_method, threads = collections.Counter(), collections.Counter(), collections.Counter()
    for e in load(rec, "jdk.ExecutionSample"):
        fs = frames(e)
        lay, where = layer(fs)
        top = fs[0] if fs else ("?", "?")
        inner = where if top[0].startswith("io.connscope.") else f"{where}; {top[0].rsplit('.', 1)[-1]}.{top[1]}"
        cpu_layer[lay] += 1
        cpu_method[(lay, inner)] += 1
        threads[e["values"]["sampledThread"].get("javaName") or "?"] += 1
    total = sum(cpu_layer.values())
    table("CPU: jdk.ExecutionSample", "samples", cpu_layer, cpu_method, total)
    print("\n| thread | samples | share |\n|---|---:|---:|")
    for t, v in threads.most_common(8):
        print(f"| {t} | {v:,} | {100 * v / total:.1f}% |")

    al_layer, al_method, al_class = collections.Counter(), collections.Counter(), collections.Counter()
    for e in load(rec, "jdk.ObjectAllocationSample"):
        fs = frames(e)
        w = e["values"].get("weight") or 0
        lay, where = layer(fs)
        cls = (e["values"].get("objectClass") or {}).get("name", "?").replace("/", ".")
        al_layer[lay] += w / 1e6
        al_method[(lay, f"{where} -> {cls.rsplit('.', 1)[-1]}")] += w / 1e6
        al_class[cls] += w / 1e6
    total = sum(al_layer.values())
    table("Allocation: jdk.ObjectAllocationSample, weighted", "MB", al_layer, al_method, total)
    print("\n| class allocated | MB | share |\n|---|---:|---:|")
    for c, v in al_class.most_common(10):
        print(f"| `{c}` | {v:,.0f} | {100 * v / total:.1f}% |")


if __name__ == "__main__":
    main()
