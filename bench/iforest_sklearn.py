"""scikit-learn reference for bench/iforest.ts: fit + score_samples timings and ROC AUC.

Usage: python3 bench/iforest_sklearn.py MANIFEST.json  -> JSON results on stdout.
The manifest lists datasets: {"name", "csv", "metrics", "labels" (file of one 0/1 per data row, file
order), "seeds": [..], "defaultJobs": bool}. Missing values are filled with the column median, as
bench/iforest.ts's detector does (scikit-learn itself rejects NaN). Only fit + score_samples is timed.
"""
import json
import sys
import time

import numpy as np
import pandas as pd
import sklearn
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score


def run(X, seed, n_jobs):
    t0, c0 = time.perf_counter(), time.process_time()
    model = IsolationForest(random_state=seed, n_jobs=n_jobs).fit(X)
    scores = -model.score_samples(X)
    return (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000, scores


def main():
    manifest = json.load(open(sys.argv[1]))
    out = {"sklearn": sklearn.__version__, "datasets": []}
    for ds in manifest:
        frame = pd.read_csv(ds["csv"], usecols=ds["metrics"])[ds["metrics"]].astype("float64")
        X = frame.fillna(frame.median()).to_numpy()
        with open(ds["labels"]) as fh:
            y = np.frombuffer(fh.read().strip().encode(), dtype=np.uint8) - ord("0")
        both = 0 < y.sum() < len(y)
        times, cpu, aucs = [], [], []
        for seed in ds["seeds"]:
            ms, cpu_ms, scores = run(X, seed, 1)
            times.append(ms)
            cpu.append(cpu_ms)
            if both:
                aucs.append(roc_auc_score(y, scores))
        default_ms = run(X, ds["seeds"][0], None)[0] if ds.get("defaultJobs") else None
        out["datasets"].append({"name": ds["name"], "rows": len(X), "msJobs1": times, "cpuMsJobs1": cpu, "msDefault": default_ms, "auc": aucs})
        print(f"sklearn done {ds['name']}", file=sys.stderr, flush=True)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
