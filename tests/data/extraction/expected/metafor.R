# Reference pooled results of the example review (invented data), computed by R metafor
# independently of `review`: Rscript metafor.R <dir with the tables of `review extract export`> > metafor_pooled.csv
# Written with metafor 3.8-1. Model scale: SMD (Hedges' g), log IRR, log RR; REML; Wald-type CIs.
# Subgroup rows (DMT response by treatment) use one tau2 common to the subgroups, as
# rma(yi, vi, mods = ~ treatment - 1); the "test" row is the omnibus test of rma(yi, vi, mods = ~ treatment).
suppressMessages(library(metafor))
d <- commandArgs(trailingOnly = TRUE)[1]
rd <- function(n) read.csv(file.path(d, paste0(n, ".csv")), check.names = FALSE, encoding = "UTF-8")
es <- list(
  edss = escalc("SMD", m1i = e_mean, sd1i = e_sd, n1i = e_n, m2i = c_mean, sd2i = c_sd, n2i = c_n, data = rd("edss")),
  wmlv = escalc("SMD", m1i = e_mean, sd1i = e_sd, n1i = e_n, m2i = c_mean, sd2i = c_sd, n2i = c_n, data = rd("wmlv")),
  brain_volume = escalc("SMD", m1i = e_mean, sd1i = e_sd, n1i = e_n, m2i = c_mean, sd2i = c_sd, n2i = c_n, data = rd("brain_volume")),
  relapse_rate = escalc("IRR", x1i = e_events, t1i = e_time, x2i = c_events, t2i = c_time, data = rd("relapse_rate")),
  dmt_response = escalc("RR", ai = e_events, n1i = e_total, ci = c_events, n2i = c_total, data = rd("dmt_response")))
measure <- c(edss = "SMD", wmlv = "SMD", brain_volume = "SMD", relapse_rate = "IRR", dmt_response = "RR")
f <- function(x) formatC(x, digits = 8, format = "g")
cat("analysis,measure,k,estimate,se,ci_lower,ci_upper,tau2,i2,q,q_pval\n")
for (n in names(es)) {
  r <- rma(yi, vi, data = es[[n]], method = "REML")
  cat(n, measure[[n]], r$k, f(r$b[1]), f(r$se), f(r$ci.lb), f(r$ci.ub), f(r$tau2), f(r$I2), f(r$QE), f(r$QEp), sep = ",")
  cat("\n")
}
x <- es$dmt_response
m0 <- rma(yi, vi, mods = ~ treatment - 1, data = x, method = "REML")
for (i in seq_along(m0$b)) {
  g <- sub("^treatment", "", rownames(m0$b)[i])
  cat(paste0("dmt_response[", g, "]"), "RR", sum(x$treatment == g), f(m0$b[i]), f(m0$se[i]), f(m0$ci.lb[i]), f(m0$ci.ub[i]),
      f(m0$tau2), "", "", "", sep = ",")
  cat("\n")
}
m1 <- rma(yi, vi, mods = ~ treatment, data = x, method = "REML")
cat("dmt_response[test]", "RR", m1$k, "", "", "", "", "", "", f(m1$QM), f(m1$QMp), sep = ",")
cat("\n")
