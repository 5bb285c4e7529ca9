"""scikit-learn's whole process for bench/analyzeProcess.ts: read the CSV with pandas, fit IsolationForest
(defaults, random_state=0) on the numeric columns, score every row, write the scores as JSON.

Usage: python3 bench/analyze_sklearn.py DATA.csv OUT.json
"""
import json
import sys

import pandas as pd
from sklearn.ensemble import IsolationForest

frame = pd.read_csv(sys.argv[1])
X = frame.select_dtypes("number")
X = X.fillna(X.median()).to_numpy()
scores = -IsolationForest(random_state=0).fit(X).score_samples(X)
with open(sys.argv[2], "w") as fh:
    json.dump({"rows": len(scores), "scores": scores.tolist()}, fh)
