# Reference numbers for recoverycap.analysis, computed with R.
#
# Run from the repository root:
#   Rscript tests/reference/analysis_reference.R > tests/reference/analysis_reference.txt
#
# The first run generates the small fixed datasets below (set.seed) and writes them as CSV next to
# this script; later runs read the committed CSV files, so R and Python always see the same data.
# Every reference number is printed as "key value" on its own line (lines starting with '#' are
# comments) with 7 significant digits unless stated; the Python tests parse this file and compare at
# the precision printed here. The tests never need R.
#
# Packages: base R (stats), psych (alpha), lme4 (lmer).

suppressPackageStartupMessages({
  library(psych)
  library(lme4)
})

args <- commandArgs(trailingOnly = FALSE)
script <- sub("^--file=", "", args[grep("^--file=", args)])
here <- if (length(script)) dirname(normalizePath(script)) else "tests/reference"

out <- function(key, value, digits = 7) {
  cat(key, " ", format(signif(value, digits), digits = digits, scientific = FALSE, trim = TRUE), "\n", sep = "")
}
note <- function(...) cat("#", ..., "\n")

csv_path <- function(name) file.path(here, name)
have <- function(name) file.exists(csv_path(name))
write_frame <- function(df, name) write.csv(df, csv_path(name), row.names = FALSE, quote = FALSE)

# ---------------------------------------------------------------------------------------------
# Datasets (long format, as Store.scores_frame returns: one row per person, time point and scale)
# ---------------------------------------------------------------------------------------------

if (!have("change_ties.csv")) {
  # 24 people with BARC-10 totals at intake and release (integers, so ties and zero changes
  # occur), plus 2 people seen only at intake. Two sites.
  set.seed(20240601)
  n <- 24
  pre <- pmin(60, pmax(10, round(rnorm(n, 34, 8))))
  post <- pmin(60, pmax(10, round(pre + rnorm(n, 4, 6))))
  post[c(3, 11)] <- pre[c(3, 11)]  # two zero changes
  subj <- sprintf("ALT-%04d", 1:n)
  site <- rep(c("north", "south"), length.out = n)
  d1 <- data.frame(subject = subj, site = site, cohort = "2024a", timepoint = "intake",
                   administered_at = "2024-02-01", instrument = "barc10", scale = "total", score = pre)
  d2 <- data.frame(subject = subj, site = site, cohort = "2024a", timepoint = "release",
                   administered_at = "2024-05-01", instrument = "barc10", scale = "total", score = post)
  d3 <- data.frame(subject = c("ALT-0025", "ALT-0026"), site = "north", cohort = "2024a",
                   timepoint = "intake", administered_at = "2024-02-01", instrument = "barc10",
                   scale = "total", score = c(33, 41))
  write_frame(rbind(d1, d3, d2), "change_ties.csv")
}

if (!have("change_exact.csv")) {
  # 12 people whose changes are all non-zero with distinct sizes: R uses the exact Wilcoxon test.
  pre <- c(28, 35, 22, 41, 30, 26, 33, 38, 24, 29, 36, 31)
  diff <- c(5, -2, 9, 1, 12, 7, -4, 3, 11, 6, -8, 10)
  subj <- sprintf("ALT-%04d", 101:112)
  d1 <- data.frame(subject = subj, site = "north", cohort = "2024b", timepoint = "intake",
                   administered_at = "2024-03-01", instrument = "barc10", scale = "total", score = pre)
  d2 <- data.frame(subject = subj, site = "north", cohort = "2024b", timepoint = "release",
                   administered_at = "2024-06-01", instrument = "barc10", scale = "total",
                   score = pre + diff)
  write_frame(rbind(d1, d2), "change_exact.csv")
}

if (!have("repeated.csv")) {
  # 15 people at three time points; 3 of them miss one time point (excluded from complete-case
  # tests).
  set.seed(20240602)
  n <- 15
  base <- round(rnorm(n, 33, 7))
  tp <- c("intake", "release", "post_release_12w")
  dates <- c("2024-01-10", "2024-04-10", "2024-07-03")
  rows <- list()
  for (j in 1:3) {
    s <- pmin(60, pmax(10, round(base + c(0, 5, 7)[j] + rnorm(n, 0, 5))))
    rows[[j]] <- data.frame(subject = sprintf("ALT-%04d", 201:(200 + n)), site = "north",
                            cohort = "2024c", timepoint = tp[j], administered_at = dates[j],
                            instrument = "barc10", scale = "total", score = s)
  }
  d <- do.call(rbind, rows)
  drop <- (d$subject == "ALT-0203" & d$timepoint == "release") |
    (d$subject == "ALT-0209" & d$timepoint == "post_release_12w") |
    (d$subject == "ALT-0214" & d$timepoint == "post_release_12w")
  write_frame(d[!drop, ], "repeated.csv")
}

if (!have("growth.csv")) {
  # 40 people, planned at weeks 0, 6, 12 and 26 (visits a few days early or late); people drop
  # out, so later time points have fewer rows. Random intercepts and slopes.
  set.seed(20240603)
  n <- 40
  tp <- c("intake", "programme_end", "release", "post_release_12w")
  planned <- c(0, 6, 12, 26)
  u0 <- rnorm(n, 0, 6)
  u1 <- rnorm(n, 0, 0.25)
  last <- sample(c(1, 2, 3, 4, 4, 4), n, replace = TRUE)  # last time point each person reached
  start <- as.Date("2024-01-08") + sample(0:20, n, replace = TRUE)
  rows <- list()
  for (i in 1:n) {
    for (j in 1:last[i]) {
      days <- if (j == 1) 0 else planned[j] * 7 + sample(-5:5, 1)
      y <- round(32 + u0[i] + (0.45 + u1[i]) * days / 7 + rnorm(1, 0, 3))
      rows[[length(rows) + 1]] <- data.frame(
        subject = sprintf("ALT-%04d", 300 + i), site = c("north", "south")[1 + i %% 2],
        cohort = "2024d", timepoint = tp[j], administered_at = format(start[i] + days),
        instrument = "barc10", scale = "total", score = min(60, max(10, y)))
    }
  }
  write_frame(do.call(rbind, rows), "growth.csv")
}

if (!have("alpha_items.csv")) {
  # 60 administrations of a 10-item, 1-6 agreement scale from a one-factor model; 6 answers
  # missing (empty cells).
  set.seed(20240604)
  n <- 60
  f <- rnorm(n)
  loads <- c(0.8, 0.7, 0.75, 0.6, 0.65, 0.7, 0.55, 0.8, 0.6, 0.7)
  items <- sapply(loads, function(l) pmin(6, pmax(1, round(3.5 + 1.2 * (l * f + sqrt(1 - l^2) * rnorm(n))))))
  colnames(items) <- paste0("q", 1:10)
  items[cbind(c(4, 9, 17, 30, 41, 55), c(2, 5, 5, 8, 1, 10))] <- NA
  d <- data.frame(administration_id = 1:n, items)
  write.csv(d, csv_path("alpha_items.csv"), row.names = FALSE, quote = FALSE, na = "")
}

# ---------------------------------------------------------------------------------------------
# Two time points: t.test, wilcox.test, effect sizes by formula
# ---------------------------------------------------------------------------------------------

pairs_of <- function(d, before, after) {
  a <- d[d$timepoint == before, c("subject", "score")]
  b <- d[d$timepoint == after, c("subject", "score")]
  m <- merge(a, b, by = "subject", suffixes = c("_before", "_after"))
  m[order(m$subject), ]
}

# d_z with an exact CI by inverting the noncentral t distribution (Cumming 2012, ch. 11).
ncp_limits <- function(t, df, conf = 0.95) {
  f <- function(ncp, p) pt(t, df, ncp) - p
  lo <- uniroot(f, c(t - 4, t + 4), p = (1 + conf) / 2, tol = 1e-12)$root
  hi <- uniroot(f, c(t - 4, t + 4), p = (1 - conf) / 2, tol = 1e-12)$root
  c(lo, hi)
}

change_reference <- function(name, d, before, after) {
  m <- pairs_of(d, before, after)
  x1 <- m$score_before
  x2 <- m$score_after
  n <- length(x1)
  note(sprintf("%s: %d pairs, %s -> %s", name, n, before, after))
  out(paste0(name, ".n"), n)
  out(paste0(name, ".mean_before"), mean(x1))
  out(paste0(name, ".sd_before"), sd(x1))
  out(paste0(name, ".mean_after"), mean(x2))
  out(paste0(name, ".sd_after"), sd(x2))

  note("t.test(after, before, paired = TRUE)")
  tt <- t.test(x2, x1, paired = TRUE)
  out(paste0(name, ".t"), unname(tt$statistic))
  out(paste0(name, ".df"), unname(tt$parameter))
  out(paste0(name, ".p_t"), tt$p.value)
  out(paste0(name, ".mean_change"), unname(tt$estimate))
  out(paste0(name, ".ci_low"), tt$conf.int[1])
  out(paste0(name, ".ci_high"), tt$conf.int[2])

  note("wilcox.test(after, before, paired = TRUE): R's default; method printed below")
  wt <- suppressWarnings(wilcox.test(x2, x1, paired = TRUE))
  note("method:", wt$method)
  out(paste0(name, ".wilcoxon_exact"), as.integer(grepl("exact", wt$method)))
  out(paste0(name, ".wilcoxon_v"), unname(wt$statistic))
  out(paste0(name, ".p_wilcoxon"), wt$p.value)

  note("Cohen's d_z = mean(diff) / sd(diff); 95% CI from the noncentral t (uniroot on pt)")
  dif <- x2 - x1
  dz <- mean(dif) / sd(dif)
  lim <- ncp_limits(unname(tt$statistic), n - 1) / sqrt(n)
  out(paste0(name, ".d_z"), dz)
  out(paste0(name, ".d_z_ci_low"), lim[1])
  out(paste0(name, ".d_z_ci_high"), lim[2])

  note("Hedges' g_av = J * mean(diff) / sqrt((sd1^2 + sd2^2) / 2), J = 1 - 3 / (4 * (n - 1) - 1);")
  note("var(d) = (1/n + d^2 / (2n)) * 2 * (1 - r), var(g) = J^2 var(d); CI g -/+ qnorm(.975) * se")
  dav <- mean(dif) / sqrt((var(x1) + var(x2)) / 2)
  J <- 1 - 3 / (4 * (n - 1) - 1)
  r <- cor(x1, x2)
  vd <- (1 / n + dav^2 / (2 * n)) * 2 * (1 - r)
  g <- J * dav
  se <- sqrt(J^2 * vd)
  out(paste0(name, ".r"), r)
  out(paste0(name, ".hedges_g"), g)
  out(paste0(name, ".g_ci_low"), g - qnorm(0.975) * se)
  out(paste0(name, ".g_ci_high"), g + qnorm(0.975) * se)
}

change_ties <- read.csv(csv_path("change_ties.csv"), stringsAsFactors = FALSE)
change_exact <- read.csv(csv_path("change_exact.csv"), stringsAsFactors = FALSE)
change_reference("ties", change_ties, "intake", "release")
change_reference("exact", change_exact, "intake", "release")

note("Subgroups: ties data by site")
for (s in c("north", "south")) {
  m <- pairs_of(change_ties[change_ties$site == s, ], "intake", "release")
  tt <- t.test(m$score_after, m$score_before, paired = TRUE)
  out(paste0("ties.", s, ".n"), nrow(m))
  out(paste0("ties.", s, ".t"), unname(tt$statistic))
  out(paste0("ties.", s, ".p_t"), tt$p.value)
}

# ---------------------------------------------------------------------------------------------
# Three time points, complete cases: aov with Error(), Greenhouse-Geisser, friedman.test,
# pairwise paired t and Wilcoxon tests with Holm's correction
# ---------------------------------------------------------------------------------------------

rep_d <- read.csv(csv_path("repeated.csv"), stringsAsFactors = FALSE)
levels_tp <- c("intake", "release", "post_release_12w")
w <- reshape(rep_d[, c("subject", "timepoint", "score")], idvar = "subject", timevar = "timepoint",
             direction = "wide")
w <- w[complete.cases(w), ]
w <- w[order(w$subject), ]
Y <- as.matrix(w[, paste0("score.", levels_tp)])
note(sprintf("repeated: %d complete cases of %d people", nrow(Y), length(unique(rep_d$subject))))
out("rm.n_complete", nrow(Y))
cc <- rep_d[rep_d$subject %in% w$subject, ]
cc$subject <- factor(cc$subject)
cc$timepoint <- factor(cc$timepoint, levels = levels_tp)
note("summary(aov(score ~ timepoint + Error(subject/timepoint)))")
a <- summary(aov(score ~ timepoint + Error(subject / timepoint), data = cc))
tab <- a[["Error: subject:timepoint"]][[1]]
out("rm.F", tab[["F value"]][1])
out("rm.df1", tab[["Df"]][1])
out("rm.df2", tab[["Df"]][2])
out("rm.p", tab[["Pr(>F)"]][1])
note("anova.mlm(lm(Y ~ 1), X = ~1, test = 'Spherical'): Greenhouse-Geisser epsilon and p")
fit <- lm(Y ~ 1)
sph <- anova(fit, X = ~1, test = "Spherical")
note("Greenhouse-Geisser epsilon by formula: S = C' cov(Y) C with orthonormal contrasts C,")
note("eps = tr(S)^2 / ((k - 1) tr(S S)); its p-value from anova.mlm")
C <- contr.poly(ncol(Y))
S <- t(C) %*% cov(Y) %*% C
out("rm.eps_gg", sum(diag(S))^2 / ((ncol(Y) - 1) * sum(diag(S %*% S))))
out("rm.p_gg", sph[["G-G Pr"]][1])

note("friedman.test(Y)")
fr <- friedman.test(Y)
out("friedman.chisq", unname(fr$statistic))
out("friedman.df", unname(fr$parameter))
out("friedman.p", fr$p.value)

note("pairwise.t.test(paired = TRUE, p.adjust.method = 'holm') and unadjusted, in R's pair order")
long_y <- as.vector(Y)
g <- factor(rep(levels_tp, each = nrow(Y)), levels = levels_tp)
pt_holm <- pairwise.t.test(long_y, g, paired = TRUE, p.adjust.method = "holm")$p.value
pt_none <- pairwise.t.test(long_y, g, paired = TRUE, p.adjust.method = "none")$p.value
pw_holm <- suppressWarnings(pairwise.wilcox.test(long_y, g, paired = TRUE, p.adjust.method = "holm")$p.value)
pw_none <- suppressWarnings(pairwise.wilcox.test(long_y, g, paired = TRUE, p.adjust.method = "none")$p.value)
for (i in rownames(pt_holm)) for (j in colnames(pt_holm)) if (!is.na(pt_holm[i, j])) {
  key <- paste0("pairwise.", j, "__", i)
  out(paste0(key, ".p_t"), pt_none[i, j])
  out(paste0(key, ".p_t_holm"), pt_holm[i, j])
  out(paste0(key, ".p_wilcoxon"), pw_none[i, j])
  out(paste0(key, ".p_wilcoxon_holm"), pw_holm[i, j])
}

# ---------------------------------------------------------------------------------------------
# Growth model: lme4::lmer, REML, time in weeks since each person's first administration
# ---------------------------------------------------------------------------------------------

gd <- read.csv(csv_path("growth.csv"), stringsAsFactors = FALSE)
gd$date <- as.Date(gd$administered_at)
first <- tapply(gd$date, gd$subject, min)
gd$weeks <- as.numeric(gd$date - as.Date(first[gd$subject], origin = "1970-01-01")) / 7
note(sprintf("growth: %d rows, %d people", nrow(gd), length(unique(gd$subject))))
out("growth.n_obs", nrow(gd))
out("growth.n_subjects", length(unique(gd$subject)))
note("lmer(score ~ weeks + (weeks | subject), REML = TRUE): fixed effects, SEs (vcov), variances")
note("Fitted with a tight optimizer tolerance (bobyqa, rhoend = 1e-12): with lme4's default")
note("stopping rule the 5th significant digit of some numbers is not settled; the default fit's")
note("summary() is printed below for the record. Printed to 5 significant digits.")
tight <- lmerControl(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-12))
m_default <- lmer(score ~ weeks + (weeks | subject), data = gd, REML = TRUE)
for (line in capture.output(print(summary(m_default)$coefficients, digits = 5))) note(line)
m1 <- lmer(score ~ weeks + (weeks | subject), data = gd, REML = TRUE, control = tight)
note("singular:", isSingular(m1))
out("growth.slope.reml_criterion", REMLcrit(m1), 8)
cf <- summary(m1)$coefficients
out("growth.slope.intercept", cf["(Intercept)", "Estimate"], 5)
out("growth.slope.intercept_se", cf["(Intercept)", "Std. Error"], 5)
out("growth.slope.weeks", cf["weeks", "Estimate"], 5)
out("growth.slope.weeks_se", cf["weeks", "Std. Error"], 5)
vc <- as.data.frame(VarCorr(m1))
out("growth.slope.var_intercept", vc$vcov[1], 5)
out("growth.slope.var_weeks", vc$vcov[2], 5)
out("growth.slope.cov_intercept_weeks", vc$vcov[3], 5)
out("growth.slope.residual_var", vc$vcov[4], 5)
note("lmer(score ~ weeks + (1 | subject), REML = TRUE)")
m0 <- lmer(score ~ weeks + (1 | subject), data = gd, REML = TRUE, control = tight)
cf0 <- summary(m0)$coefficients
out("growth.intercept.intercept", cf0["(Intercept)", "Estimate"], 5)
out("growth.intercept.intercept_se", cf0["(Intercept)", "Std. Error"], 5)
out("growth.intercept.weeks", cf0["weeks", "Estimate"], 5)
out("growth.intercept.weeks_se", cf0["weeks", "Std. Error"], 5)
vc0 <- as.data.frame(VarCorr(m0))
out("growth.intercept.var_intercept", vc0$vcov[1], 5)
out("growth.intercept.residual_var", vc0$vcov[2], 5)
out("growth.intercept.reml_criterion", REMLcrit(m0), 8)

# ---------------------------------------------------------------------------------------------
# Internal consistency: psych::alpha, pairwise (psych's default) and listwise
# ---------------------------------------------------------------------------------------------

items <- read.csv(csv_path("alpha_items.csv"))[, paste0("q", 1:10)]
note("psych::alpha(items) with use = 'pairwise' (the default)")
ap <- psych::alpha(items, warnings = FALSE)
out("alpha.pairwise.raw_alpha", ap$total$raw_alpha)
for (i in paste0("q", 1:10)) {
  out(paste0("alpha.pairwise.", i, ".r_cor"), ap$item.stats[i, "r.cor"])
  out(paste0("alpha.pairwise.", i, ".r_drop"), ap$item.stats[i, "r.drop"])
  out(paste0("alpha.pairwise.", i, ".alpha_if_dropped"), ap$alpha.drop[i, "raw_alpha"])
}
note("psych::alpha(na.omit(items)): listwise; Feldt 95% limits from psych::alpha.ci")
complete <- na.omit(items)
al <- psych::alpha(complete, warnings = FALSE)
out("alpha.listwise.n", nrow(complete))
out("alpha.listwise.raw_alpha", al$total$raw_alpha)
ci <- psych::alpha.ci(al$total$raw_alpha, n.obs = nrow(complete), n.var = 10, digits = 10)
out("alpha.listwise.ci_low", ci$lower.ci)
out("alpha.listwise.ci_high", ci$upper.ci)
for (i in paste0("q", 1:10)) {
  out(paste0("alpha.listwise.", i, ".r_cor"), al$item.stats[i, "r.cor"])
  out(paste0("alpha.listwise.", i, ".r_drop"), al$item.stats[i, "r.drop"])
}
note("done")
