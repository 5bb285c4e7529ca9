# R Prophet reference for bench/forecast.ts (run by it; not meant to be run by hand).
# Usage: Rscript bench/forecast_prophet.R MANIFEST TIMINGS
# MANIFEST: one job per line, tab-separated: name, train CSV (ds,y), predict CSV (ds), output CSV.
# Each job fits Prophet with its defaults (interval.width 0.8, 1000 uncertainty samples, automatic
# seasonalities) on the train CSV, predicts every ds of the predict CSV, and writes yhat,yhat_lower,
# yhat_upper. TIMINGS gets name,fit_s,predict_s measured around fit.prophet and predict only
# (R start-up and library loading are not counted), and lp: the log posterior Stan's optimizer reached.
# Each job is also fitted a second time with the optimizer run to convergence (rstan::optimizing's
# relative tolerances tightened, more iterations: Prophet passes them through fit.prophet) and predicted;
# that prediction goes to OUT with ".converged" before ".csv", its lp to lp_converged. Same model, same
# data: only where L-BFGS stops differs.
suppressPackageStartupMessages(library(prophet))
args <- commandArgs(trailingOnly = TRUE)
jobs <- read.delim(args[1], header = FALSE, sep = "\t", stringsAsFactors = FALSE,
                   col.names = c("name", "train", "predict", "out"))
parse_ds <- function(x) as.POSIXct(x, tz = "GMT", format = "%Y-%m-%d %H:%M:%S")
timings <- data.frame(name = character(), fit_s = numeric(), predict_s = numeric(), lp = numeric(), lp_converged = numeric())
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
  mc <- suppressMessages(fit.prophet(prophet(fit = FALSE), train, iter = 100000, tol_rel_grad = 1, tol_rel_obj = 1,
                                     tol_grad = 1e-12, tol_obj = 1e-14, tol_param = 1e-12))
  set.seed(0)
  fcc <- predict(mc, future)
  write.csv(fcc[, c("yhat", "yhat_lower", "yhat_upper")], sub("\\.csv$", ".converged.csv", jobs$out[i]), row.names = FALSE)
  timings[nrow(timings) + 1, ] <- list(jobs$name[i], t1 - t0, t2 - t1, m$stan.fit$value, mc$stan.fit$value)
  message(sprintf("prophet %s: fit %.2f s, predict %.2f s", jobs$name[i], t1 - t0, t2 - t1))
}
write.csv(timings, args[2], row.names = FALSE)
