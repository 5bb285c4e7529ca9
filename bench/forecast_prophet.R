# R Prophet reference for bench/forecast.ts (run by it; not meant to be run by hand).
# Usage: Rscript bench/forecast_prophet.R MANIFEST
# MANIFEST: one job per line, tab-separated: name, train CSV (ds,y), predict CSV (ds), output CSV.
# Each job fits Prophet with its defaults (`prophet(df)`: interval.width 0.8, 1000 uncertainty samples,
# automatic seasonalities) on the train CSV, predicts every ds of the predict CSV, and writes yhat,yhat_lower,
# yhat_upper, and OUT.time: fit_s,predict_s measured around prophet() and predict() only (R start-up and
# library loading are not counted).
suppressPackageStartupMessages(library(prophet))
args <- commandArgs(trailingOnly = TRUE)
jobs <- read.delim(args[1], header = FALSE, sep = "\t", stringsAsFactors = FALSE,
                   col.names = c("name", "train", "predict", "out"))
parse_ds <- function(x) as.POSIXct(x, tz = "GMT", format = "%Y-%m-%d %H:%M:%S")
for (i in seq_len(nrow(jobs))) {
  train <- read.csv(jobs$train[i], stringsAsFactors = FALSE)
  train$ds <- parse_ds(train$ds)
  future <- read.csv(jobs$predict[i], stringsAsFactors = FALSE)
  future$ds <- parse_ds(future$ds)
  t0 <- proc.time()[["elapsed"]]
  m <- suppressMessages(prophet(train))
  t1 <- proc.time()[["elapsed"]]
  set.seed(0)
  fc <- predict(m, future)
  t2 <- proc.time()[["elapsed"]]
  write.csv(fc[, c("yhat", "yhat_lower", "yhat_upper")], jobs$out[i], row.names = FALSE)
  writeLines(sprintf("%.4f,%.4f", t1 - t0, t2 - t1), paste0(jobs$out[i], ".time"))
  message(sprintf("prophet %s: fit %.2f s, predict %.2f s", jobs$name[i], t1 - t0, t2 - t1))
}
