// The planners' page: plain JavaScript, no build step, no third-party code.
// Every value from the data is written with textContent (never as HTML).
"use strict";

const WORDS = {
  zh: {
    title: "巡察组编排", subtitle: "上传人才库，几秒内得到符合全部硬性规则的巡察组名单",
    token: "访问令牌", step1: "上传工作簿", drop: "把工作簿拖到这里，或点击选择文件",
    dropHint: ".xlsx 工作簿、.json 文档，或 CSV 文件打成的 .zip",
    sheet: "文件／工作表", row: "行", column: "列", what: "问题",
    problems: (n) => `发现 ${n} 个问题，改正后重新上传：`,
    warnings: (n) => `${n} 条提醒`,
    members: "人员", active: "在岗", units: "单位", groups: "巡察组", rounds: "轮次", seats: "至少席位",
    step2: "求解", timeLimit: "时间上限（秒）", solve: "开始编排", stop: "停止并保留当前最好名单",
    objective: "目标值", bound: "下界", gap: "差距",
    queued: (p) => p ? `排队中，第 ${p} 位` : "排队中", running: "求解中…", done: "完成",
    failed: "失败", cancelled: "已停止", interrupted: "已中断",
    OPTIMAL: "已证明最优", FEASIBLE: "可行（未证明最优）", INFEASIBLE: "无解：硬性规则无法同时满足",
    UNKNOWN: "时限内未找到名单",
    step3: "名单", xlsx: "下载 Excel", csv: "下载 CSV", report: "打开报告",
    rosterHead: (s, g) => `${s} 个席位，${g} 个巡察组`,
    leader: "组长", deputy: "副组长", member: "组员", mentor: "带教", newcomer: "新人",
    targets: "巡察对象", step4: "假设分析", whatifHint: "改动情况后重新编排，尽量少调整人员",
    outLegend: "人员不能参加", filter: "按姓名、编号或单位筛选", groupLegend: "调整巡察组",
    group: "巡察组", sizeMin: "最少人数", sizeMax: "最多人数", runWhatif: "重新编排",
    noChange: "请先选择要改动的内容", changes: (n) => `调整 ${n} 个席位`,
    left: "离开", joined: "加入", moved: "调组", roleChanges: "角色变化", before: "之前", after: "之后",
    goal: "目标", reason: "原因", none: "无",
    error: "出错了", uploadFirst: "请先上传工作簿", person: "人员",
    "strength-balance": "各组实力均衡", development: "培养锻炼", "workload-balance": "任务均衡",
    rating: "评分", affinity: "意向", complementarity: "专业与来源互补", mix: "结构搭配",
    stability: "调整人数",
  },
  en: {
    title: "Inspection team planner", subtitle: "Upload the talent pool; get a roster that keeps every hard rule in seconds",
    token: "Access token", step1: "Upload the workbook", drop: "Drop the workbook here, or click to choose a file",
    dropHint: "an .xlsx workbook, a .json document, or a .zip of the CSV files",
    sheet: "File / sheet", row: "Row", column: "Column", what: "Problem",
    problems: (n) => `${n} problem${n === 1 ? "" : "s"} found; fix and upload again:`,
    warnings: (n) => `${n} warning${n === 1 ? "" : "s"}`,
    members: "members", active: "active", units: "units", groups: "groups", rounds: "rounds", seats: "seats at least",
    step2: "Solve", timeLimit: "Time limit (s)", solve: "Compose the teams", stop: "Stop and keep the best roster",
    objective: "objective", bound: "bound", gap: "gap",
    queued: (p) => p ? `waiting, number ${p} in the queue` : "waiting", running: "solving…", done: "done",
    failed: "failed", cancelled: "stopped", interrupted: "interrupted",
    OPTIMAL: "proven optimal", FEASIBLE: "feasible (not proven optimal)",
    INFEASIBLE: "no roster: the hard rules cannot all hold", UNKNOWN: "no roster within the time limit",
    step3: "Roster", xlsx: "Download Excel", csv: "Download CSV", report: "Open the report",
    rosterHead: (s, g) => `${s} seats in ${g} groups`,
    leader: "leader", deputy: "deputy", member: "member", mentor: "mentor", newcomer: "new",
    targets: "inspects", step4: "What if", whatifHint: "Change the situation and re-solve, moving as few people as possible",
    outLegend: "Members who cannot serve", filter: "filter by name, id or unit", groupLegend: "Change a group",
    group: "Group", sizeMin: "Size at least", sizeMax: "Size at most", runWhatif: "Re-solve",
    noChange: "Choose a change first", changes: (n) => `${n} seat${n === 1 ? "" : "s"} changed`,
    left: "Left", joined: "Joined", moved: "Moved", roleChanges: "Role changes", before: "before", after: "after",
    goal: "Goal", reason: "reason", none: "none",
    error: "Something went wrong", uploadFirst: "Upload a workbook first", person: "Member",
    "strength-balance": "strength balance", development: "development", "workload-balance": "workload balance",
    rating: "rating", affinity: "affinity", complementarity: "complementarity", mix: "mix",
    stability: "seats changed",
  },
};

const S = {
  lang: localStorage.getItem("teamsolver.lang") || (navigator.language.startsWith("zh") ? "zh" : "en"),
  file: null, solveJob: null, roster: null, points: [], names: {},
};

const $ = (id) => document.getElementById(id);
const t = (key, ...args) => {
  const w = WORDS[S.lang][key];
  return typeof w === "function" ? w(...args) : (w ?? key);
};

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

function setLang(lang) {
  S.lang = lang;
  localStorage.setItem("teamsolver.lang", lang);
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  document.querySelectorAll("[data-t]").forEach((n) => { n.textContent = t(n.dataset.t); });
  document.querySelectorAll("[data-t-placeholder]").forEach((n) => { n.placeholder = t(n.dataset.tPlaceholder); });
  document.querySelectorAll("[data-lang]").forEach((b) => b.classList.toggle("on", b.dataset.lang === lang));
  redraw();
}

// -- the API -------------------------------------------------------------------------------
function headers(extra = {}) {
  const token = $("token").value || sessionStorage.getItem("teamsolver.token");
  return token ? { ...extra, Authorization: `Bearer ${token}` } : extra;
}

async function api(path, options = {}) {
  const response = await fetch(path, { ...options, headers: headers(options.headers) });
  if (response.status === 401) {
    $("token-box").hidden = false;
    $("token").focus();
  }
  return response;
}

async function events(jobId, onEvent) {
  // Server-sent events read with fetch, so that the token can go in a header.
  const response = await api(`/jobs/${jobId}/events`);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let type = "message", data = "";
      for (const line of block.split("\n")) {
        if (line.startsWith("event: ")) type = line.slice(7);
        else if (line.startsWith("data: ")) data += line.slice(6);
      }
      if (data) onEvent(type, JSON.parse(data));
      if (type === "end") { reader.cancel(); return; }
    }
  }
}

// -- step 1: the workbook ------------------------------------------------------------------
async function chosen(file) {
  S.file = file;
  $("chosen").textContent = file.name;
  for (const id of ["step-solve", "step-roster", "step-whatif", "problems", "size"]) $(id).hidden = true;
  const form = new FormData();
  form.append("file", file);
  const response = await api("/validate", { method: "POST", body: form });
  const body = await response.json();
  const errors = (body.problems || []).filter((p) => p.severity === "error");
  if (response.status === 422) {
    showProblems(errors);
    return;
  }
  if (!response.ok) { showError(body); return; }
  S.counts = body.counts;
  S.warnings = body.problems || [];
  showSize();
  $("step-solve").hidden = false;
}

function showProblems(problems) {
  $("problems").hidden = false;
  $("problems-head").textContent = t("problems", problems.length);
  const body = $("problems-body");
  body.replaceChildren();
  for (const p of problems) {
    const [file, sheet] = (p.file || "").split(", sheet ");
    body.append(el("tr", {},
      el("td", { text: sheet || file || "" }),
      el("td", { text: p.row ?? "" }),
      el("td", { text: p.column ?? "" }),
      el("td", { text: p.message })));
  }
}

function showSize() {
  const c = S.counts;
  if (!c) return;
  const box = $("size");
  box.hidden = false;
  box.replaceChildren(
    ...[["members", c.members], ["active", c.active], ["units", c.units], ["groups", c.groups],
      ["rounds", c.rounds], ["seats", c.seats_min]].map(([k, v]) =>
      el("div", { class: "figure" }, el("b", { text: v }), el("span", { text: t(k) }))));
  if (S.warnings && S.warnings.length) box.append(el("div", { class: "warn", text: t("warnings", S.warnings.length) }));
}

// -- step 2: solving -----------------------------------------------------------------------
async function solve() {
  if (!S.file) { alert(t("uploadFirst")); return; }
  S.limit = Number($("time-limit").value) || 10;
  const form = new FormData();
  form.append("file", S.file);
  form.append("kind", "solve");
  form.append("options", JSON.stringify({ time_limit: S.limit }));
  S.points = [];
  S.end = null;
  S.t0 = null;
  drawChart();
  $("solve").disabled = true;
  const response = await api("/jobs", { method: "POST", body: form });
  const job = await response.json();
  if (response.status !== 202) { $("solve").disabled = false; showError(job); return; }
  S.solveJob = job.id;
  $("stop").hidden = false;
  state("solve-state", "queued", job.position);
  await events(job.id, (type, data) => {
    if (type === "started") { S.t0 = data.at; state("solve-state", "running"); }
    if (type === "progress") { S.points.push(data); drawChart(); }
    if (type === "end") S.end = data;
  });
  // The roster at the end (a search may end on a roster it never reported as progress).
  const last = S.points[S.points.length - 1];
  if (S.end.objective != null && S.t0 && (!last || last.objective !== S.end.objective)) {
    S.points.push({ objective: S.end.objective, bound: S.end.bound, gap: S.end.gap, elapsed_s: S.end.at - S.t0 });
  }
  $("stop").hidden = true;
  $("solve").disabled = false;
  state("solve-state", S.end.state, null, S.end.status);
  drawChart();
  if (["done", "cancelled", "interrupted"].includes(S.end.state) && S.end.objective != null) await showRoster();
}

function state(id, name, position, status) {
  const words = [name === "queued" ? t("queued", position) : t(name)];
  if (status) words.push(t(status));
  $(id).textContent = words.join(" · ");
  $(id).className = `state ${name}`;
}

function drawChart() {
  const svg = $("chart");
  svg.replaceChildren();
  const pts = S.points;
  const last = pts[pts.length - 1];
  $("gap").textContent = "";
  $("t-end").textContent = "";
  if (!pts.length) return;
  // Drawn at the size shown (no stretching: round dots stay round).
  const W = svg.clientWidth || 640, H = svg.clientHeight || 180, pad = 10;
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  // The time axis spans the time limit while solving, the whole solve once it has ended.
  const span = S.end && S.t0 ? S.end.at - S.t0 : S.limit || 0;
  const tMax = Math.max(...pts.map((p) => p.elapsed_s), span, 0.001);
  const ys = pts.flatMap((p) => [p.objective, p.bound]).filter((v) => v != null);
  const lo = Math.min(...ys), hi = Math.max(...ys);
  const x = (v) => pad + (W - 2 * pad) * (v / tMax);
  const y = (v) => H - pad - (H - 2 * pad) * (hi === lo ? 0.5 : (v - lo) / (hi - lo));
  const line = (key, cls) => {
    // A step line: a value holds until the next improvement.
    let d = "";
    pts.forEach((p, i) => {
      if (p[key] == null) return;
      d += `${d ? "L" : "M"}${x(p.elapsed_s).toFixed(1)},${y(p[key]).toFixed(1)} `;
      const next = pts[i + 1];
      const until = next ? next.elapsed_s : tMax;
      d += `L${x(until).toFixed(1)},${y(p[key]).toFixed(1)} `;
    });
    const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("d", d);
    path.setAttribute("class", cls);
    svg.append(path);
  };
  line("bound", "bound");
  line("objective", "obj");
  for (const p of pts) {
    const dot = document.createElementNS("http://www.w3.org/2000/svg", "circle");
    dot.setAttribute("cx", x(p.elapsed_s).toFixed(1));
    dot.setAttribute("cy", y(p.objective).toFixed(1));
    dot.setAttribute("r", 4);
    svg.append(dot);
  }
  $("t-end").textContent = `${tMax.toFixed(tMax < 10 ? 1 : 0)} s`;
  const bound = last.bound == null ? "—" : Math.round(last.bound);
  $("gap").textContent = `${t("objective")} ${last.objective} · ${t("bound")} ${bound}` +
    (last.gap != null ? ` · ${t("gap")} ${(100 * last.gap).toFixed(1)}%` : "") +
    ` · ${last.elapsed_s.toFixed(1)} s`;
}

// -- step 3: the roster --------------------------------------------------------------------
async function showRoster() {
  const response = await api(`/jobs/${S.solveJob}/roster.json`);
  S.roster = await response.json();
  for (const s of S.roster.roster) S.names[s.member] = s.name;
  $("step-roster").hidden = false;
  $("step-whatif").hidden = false;
  drawRoster();
  fillWhatif();
}

function unitName(id) {
  const names = (S.roster && S.roster.unit_names) || {};
  return names[id] || id;
}

const ROLE_ORDER = { leader: 0, deputy: 1, member: 2 };

function drawRoster() {
  if (!S.roster) return;
  const seats = S.roster.roster;
  const groups = S.roster.groups || [];
  $("roster-head").textContent = `${t("rosterHead", seats.length, new Set(seats.map((s) => s.group)).size)}` +
    (S.roster.status ? ` · ${t(S.roster.status)}` : "");
  const cards = $("cards");
  cards.replaceChildren();
  for (const g of groups) {
    const mine = seats.filter((s) => s.group === g.id)
      .sort((a, b) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role] || a.member.localeCompare(b.member));
    if (!mine.length) continue;
    const list = el("ul", {});
    for (const s of mine) {
      const tags = el("span", { class: "tags" });
      for (const sp of (s.specialties || "").split(";").filter(Boolean)) tags.append(el("span", { class: "tag", text: sp }));
      if (s.experience === 0) tags.append(el("span", { class: "tag new", text: t("newcomer") }));
      const item = el("li", { class: s.role },
        el("span", { class: `role ${s.role}`, text: t(s.role) }),
        el("span", { class: "who" }, el("b", { text: s.name || s.member }), el("small", { text: ` ${s.member} · ${unitName(s.unit)}` })),
        tags);
      if (s.mentor) item.append(el("span", { class: "mentor", text: `${t("mentor")}: ${S.names[s.mentor] || s.mentor}` }));
      list.append(item);
    }
    cards.append(el("article", { class: "card" },
      el("header", {}, el("h3", { text: g.id }), el("span", { class: "round", text: g.round })),
      el("p", { class: "targets", text: `${t("targets")}: ${g.targets.map(unitName).join("、")}` }),
      list));
  }
}

async function download(fmt) {
  const response = await api(`/jobs/${S.solveJob}/roster.${fmt}`);
  const blob = await response.blob();
  const a = el("a", { href: URL.createObjectURL(blob), download: `roster.${fmt}` });
  document.body.append(a);
  a.click();
  a.remove();
}

async function openReport() {
  // Fetched (the token goes in a header), then shown in a new tab.
  const tab = window.open("", "_blank");
  const response = await api(`/jobs/${S.solveJob}/report.html?lang=${S.lang}`);
  const blob = new Blob([await response.text()], { type: "text/html" });
  tab.location.href = URL.createObjectURL(blob);
}

// -- step 4: what if -----------------------------------------------------------------------
function fillWhatif() {
  const list = $("out-list");
  list.replaceChildren();
  const seen = new Set();
  for (const s of S.roster.roster) {
    if (seen.has(s.member)) continue;
    seen.add(s.member);
    const box = el("input", { type: "checkbox", value: s.member });
    list.append(el("label", { class: "pick", "data-text": `${s.name} ${s.member} ${s.unit}`.toLowerCase() },
      box, el("span", { text: `${s.name} (${s.member})` }), el("small", { text: `${s.group} · ${t(s.role)}` })));
  }
  const select = $("wg");
  select.replaceChildren(el("option", { value: "", text: "—" }),
    ...(S.roster.groups || []).map((g) => el("option", { value: g.id, text: g.id })));
}

function filterOut() {
  const q = $("out-filter").value.trim().toLowerCase();
  for (const n of $("out-list").children) n.hidden = q && !n.dataset.text.includes(q);
}

async function runWhatif() {
  const out = [...$("out-list").querySelectorAll("input:checked")].map((b) => b.value);
  const scenario = { name: "page" };
  if (out.length) scenario.out = out;
  const gid = $("wg").value;
  const change = { id: gid };
  if ($("wmin").value !== "") change.size_min = Number($("wmin").value);
  if ($("wmax").value !== "") change.size_max = Number($("wmax").value);
  if (gid && Object.keys(change).length > 1) scenario.group = [change];
  if (!scenario.out && !scenario.group) { $("whatif-state").textContent = t("noChange"); return; }
  $("run-whatif").disabled = true;
  $("diff").hidden = true;
  const response = await api("/jobs", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      kind: "whatif", instance_job: S.solveJob, baseline_job: S.solveJob, scenario,
      options: { time_limit: Number($("time-limit").value) || 10 },
    }),
  });
  const job = await response.json();
  if (response.status !== 202) { $("run-whatif").disabled = false; showError(job, "whatif-state"); return; }
  state("whatif-state", "queued", job.position);
  let end = null;
  await events(job.id, (type, data) => {
    if (type === "started") state("whatif-state", "running");
    if (type === "end") end = data;
  });
  $("run-whatif").disabled = false;
  state("whatif-state", end.state, null, end.status);
  if (end.objective == null) return;
  const result = await (await api(`/jobs/${job.id}/result`)).json();
  const after = await (await api(`/jobs/${job.id}/roster.json`)).json();
  for (const s of after.roster) S.names[s.member] = s.name;
  showDiff(result.diff);
}

function showDiff(diff) {
  const box = $("diff");
  box.hidden = false;
  box.replaceChildren(el("p", { class: "changes", text: t("changes", diff.changes) }));
  const who = (id) => `${S.names[id] || id} (${id})`;
  const table = (title, head, rows) => {
    if (!rows.length) return;
    box.append(el("h4", { text: title }),
      el("table", { class: "grid" },
        el("thead", {}, el("tr", {}, ...head.map((h) => el("th", { text: h })))),
        el("tbody", {}, ...rows.map((r) => el("tr", {}, ...r.map((c) => el("td", { text: c })))))));
  };
  table(t("left"), [t("person"), t("group"), t("reason")], diff.left.map((c) => [who(c.member), `${c.group} · ${t(c.role)}`, c.reason || "—"]));
  table(t("joined"), [t("person"), t("group")], diff.joined.map((c) => [who(c.member), `${c.group} · ${t(c.role)}`]));
  table(t("moved"), [t("person"), t("before"), t("after")], diff.moved.map((m) => [who(m.member), `${m.from_group} · ${t(m.from_role)}`, `${m.to_group} · ${t(m.to_role)}`]));
  table(t("roleChanges"), [t("person"), t("group"), t("before"), t("after")], diff.role_changes.map((c) => [who(c.member), c.group, t(c.before), t(c.after)]));
  const goals = Object.keys(diff.goals_after).filter((g) => diff.goals_before[g] !== diff.goals_after[g]);
  table(t("goal"), [t("goal"), t("before"), t("after")],
    [...goals.map((g) => [t(g), diff.goals_before[g], diff.goals_after[g]]), [t("objective"), diff.objective_before, diff.objective_after]]);
}

function showError(body, where = "solve-state") {
  const problems = body.problems || [];
  $(where).textContent = `${t("error")}: ${body.detail || ""}` + (problems.length ? ` — ${problems.map((p) => `${p.where}: ${p.message}`).join("; ")}` : "");
  $(where).className = "state failed";
}

function redraw() {
  showSize();
  drawChart();
  drawRoster();
  if (S.roster) fillWhatif();
}

// -- wiring --------------------------------------------------------------------------------
$("file").addEventListener("change", (e) => { if (e.target.files[0]) chosen(e.target.files[0]); });
const drop = $("drop");
drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (e) => {
  e.preventDefault();
  drop.classList.remove("over");
  if (e.dataTransfer.files[0]) chosen(e.dataTransfer.files[0]);
});
function guarded(action, where) {
  // A failure (a lost connection) is said on the page, and the buttons work again.
  return async () => {
    try {
      await action();
    } catch (exc) {
      $(where).textContent = `${t("error")}: ${exc.message || exc}`;
      $(where).className = "state failed";
      $("solve").disabled = false;
      $("run-whatif").disabled = false;
    }
  };
}

$("solve").addEventListener("click", guarded(solve, "solve-state"));
$("stop").addEventListener("click", () => api(`/jobs/${S.solveJob}`, { method: "DELETE" }));
$("report").addEventListener("click", guarded(openReport, "roster-head"));
document.querySelectorAll("[data-download]").forEach((b) => b.addEventListener("click", () => download(b.dataset.download)));
$("out-filter").addEventListener("input", filterOut);
$("run-whatif").addEventListener("click", guarded(runWhatif, "whatif-state"));
$("token").addEventListener("change", () => sessionStorage.setItem("teamsolver.token", $("token").value));
document.querySelectorAll("[data-lang]").forEach((b) => b.addEventListener("click", () => setLang(b.dataset.lang)));
setLang(S.lang);
