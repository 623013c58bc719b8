// The agent desk: live queue over a WebSocket, one call's context, and the call's audio
// (microphone → PCM16 at 16 kHz or the call's rate → WebSocket; the caller's PCM16 at the
// call's rate → speakers).
"use strict";

const root = document.getElementById("desk");
const csrf = root.dataset.csrf;
const me = Number(root.dataset.user);
const $ = (id) => document.getElementById(id);
const desk = {
  calls: new Map(), selected: null, audio: null,
  stats: { updates: 0, sentFrames: 0, callerFrames: 0, micPeak: 0 },
};
window.desk = desk;

function wsUrl(path) {
  return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + path;
}

function text(tag, value, cls) {
  const el = document.createElement(tag);
  el.textContent = value == null ? "" : String(value);
  if (cls) el.className = cls;
  return el;
}

// ---- queue updates ----------------------------------------------------------------------
function connectUpdates(delay) {
  const ws = new WebSocket(wsUrl("/agent/ws"));
  ws.onopen = () => { $("queue-state").textContent = "live"; delay = 500; };
  ws.onmessage = (ev) => {
    const msg = JSON.parse(ev.data);
    desk.stats.updates += 1;
    if (msg.type === "queue") {
      desk.calls = new Map(msg.calls.map((c) => [c.call_id, c]));
      if (msg.offline) $("queue-state").textContent = "no gateway here";
    } else if (msg.type === "call") {
      desk.calls.set(msg.call.call_id, msg.call);
    } else if (msg.type === "removed") {
      desk.calls.delete(msg.call_id);
    }
    render();
  };
  ws.onclose = () => {
    $("queue-state").textContent = "reconnecting…";
    setTimeout(() => connectUpdates(Math.min(delay * 2, 8000)), delay);
  };
}

const RANK = { waiting: 0, with_agent: 1, bot: 2 };

function render() {
  const body = $("queue");
  body.replaceChildren();
  const rows = [...desk.calls.values()].sort(
    (a, b) => (RANK[a.status] ?? 3) - (RANK[b.status] ?? 3) || a.started_at - b.started_at);
  for (const c of rows) {
    const tr = document.createElement("tr");
    tr.dataset.call = c.call_id;
    tr.dataset.status = c.status;
    if (c.call_id === desk.selected) tr.className = "selected";
    tr.append(text("td", c.status.replace("_", " "), "badge st-" + c.status));
    tr.append(text("td", c.policy_no), text("td", (c.holder_name || "") + (c.age ? ` (${c.age})` : "")));
    tr.append(text("td", c.reason), text("td", c.holder_label));
    tr.onclick = () => { desk.selected = c.call_id; render(); };
    body.append(tr);
  }
  $("queue-empty").hidden = rows.length > 0;
  renderCall();
}

function renderCall() {
  const c = desk.calls.get(desk.selected);
  $("call").hidden = !c;
  if (!c) return;
  const ctx = c.context || {};
  const mine = c.holder && c.holder.user_id === me;
  $("call-id").textContent = (ctx.script_title || c.script || "") + " · " + c.call_id;
  $("call-status").textContent = c.status.replace("_", " ");
  $("call-status").className = "badge st-" + c.status;
  $("call-holder").textContent = c.holder ? `Held by ${c.holder_label}` : "Nobody holds this call";
  $("take").hidden = Boolean(c.holder) || !["waiting", "bot"].includes(c.status);
  $("holder-actions").hidden = !mine || c.status !== "with_agent";
  $("transfer-box").hidden = !c.can_transfer;
  $("reason").textContent = c.reason || "—";
  const policy = $("policy");
  policy.replaceChildren();
  for (const [k, v] of Object.entries(ctx.policy || {})) {
    const div = document.createElement("div");
    div.append(text("dt", k.replace(/_/g, " ")), text("dd", v));
    policy.append(div);
  }
  const answers = $("answers");
  answers.replaceChildren(...(ctx.answers || []).map(
    (a) => text("li", `${a.question_no ? "Q" + a.question_no + " " : ""}${a.question_id}: ${a.answer_text} → ${a.intent}`)));
  const problems = $("problems");
  problems.replaceChildren(...(ctx.problem_items || []).map(
    (p) => text("li", `${p.question_id}: ${p.reason} (${p.answer_text})`)));
  const select = $("resume-question");
  const wanted = select.value || ctx.question_id;
  if (select.dataset.call !== c.call_id) {
    select.replaceChildren(...(ctx.questions || []).map((q) => {
      const o = text("option", `${q.no ? "Q" + q.no + " " : ""}${q.id}`);
      o.value = q.id;
      return o;
    }));
    select.dataset.call = c.call_id;
  }
  if (wanted) select.value = wanted;
  const box = $("live-transcript");
  const atEnd = box.scrollTop + box.clientHeight >= box.scrollHeight - 4;
  box.replaceChildren(...(c.transcript || []).map((l) => {
    const div = document.createElement("div");
    div.className = "line " + l.speaker;
    div.append(text("span", l.speaker, "who"), text("span", l.text));
    return div;
  }), ...(c.history || []).slice(-3).map((h) => text("div", `${h.what} ${h.agent}`, "line sys")));
  if (atEnd) box.scrollTop = box.scrollHeight;
}

// ---- commands ---------------------------------------------------------------------------
async function post(action, fields) {
  const body = new URLSearchParams({ csrf, ...fields });
  const r = await fetch(`/agent/calls/${encodeURIComponent(desk.selected)}/${action}`, {
    method: "POST", body, headers: { "X-CSRF-Token": csrf }, credentials: "same-origin",
  });
  const data = await r.json().catch(() => ({ ok: false, error: { message: r.statusText } }));
  const err = $("take-error");
  err.hidden = data.ok;
  if (!data.ok) err.textContent = data.holder ? `Held by ${data.holder}` : data.error.message;
  return data;
}

$("take").onclick = async () => {
  const data = await post("take", {});
  if (data.ok) {
    desk.calls.set(data.call.call_id, data.call);
    render();
    // 16 kHz at least: the agent's words are transcribed for the evidence (the server
    // resamples to the call's rate)
    await startAudio(data.call.call_id, Math.max(16000, data.call.sample_rate));
  }
};
$("hand-back").onclick = async () => {
  if ((await post("handback", { question_id: $("resume-question").value })).ok) stopAudio();
};
$("end").onclick = async () => {
  if ((await post("end", { outcome: $("outcome").value, note: $("note").value })).ok) stopAudio();
};
$("transfer").onclick = async () => {
  if ((await post("transfer", { destination: $("destination").value })).ok) stopAudio();
};

// ---- audio ------------------------------------------------------------------------------
function level(samples) {
  let peak = 0;
  for (let i = 0; i < samples.length; i++) peak = Math.max(peak, Math.abs(samples[i]));
  return peak;
}

async function startAudio(callId, rate) {
  stopAudio();
  const status = $("audio-status");
  status.textContent = "starting microphone…";
  const a = { callId, rate, callRate: rate, frame: new Int16Array(rate / 50), fill: 0, playAt: 0 };
  desk.audio = a;
  try {
    a.stream = await navigator.mediaDevices.getUserMedia(
      { audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true } });
    a.ctx = new AudioContext({ sampleRate: rate });  // the browser resamples the microphone
    const source = a.ctx.createMediaStreamSource(a.stream);
    if (a.ctx.audioWorklet) {
      await a.ctx.audioWorklet.addModule("/static/agent-worklet.js");
      a.node = new AudioWorkletNode(a.ctx, "pcm-capture");
      a.node.port.onmessage = (ev) => capture(a, ev.data);
    } else {  // older browsers
      a.node = a.ctx.createScriptProcessor(1024, 1, 1);
      a.node.onaudioprocess = (ev) => capture(a, ev.inputBuffer.getChannelData(0));
    }
    source.connect(a.node);
    a.node.connect(a.ctx.destination);  // keeps the graph pulling; the worklet outputs silence
  } catch (e) {
    status.textContent = "microphone unavailable: " + e.message;
  }
  a.ws = new WebSocket(wsUrl(`/agent/audio/${encodeURIComponent(callId)}?rate=${rate}`));
  a.ws.binaryType = "arraybuffer";
  a.ws.onmessage = (ev) => {
    if (typeof ev.data === "string") {
      const msg = JSON.parse(ev.data);
      if (msg.type === "hello") {
        a.callRate = msg.call_rate;
        status.textContent = `on the call (${msg.call_rate} Hz)`;
      }
      if (msg.type === "error") status.textContent = msg.error.message;
      if (msg.type === "bye") status.textContent = "the call left you (" + msg.status + ")";
      return;
    }
    play(a, new Int16Array(ev.data));
  };
  a.ws.onclose = () => { if (desk.audio === a) stopAudio(); };
}

function capture(a, floats) {
  $("mic-level").value = level(floats);
  for (let i = 0; i < floats.length; i++) {
    const s = Math.max(-1, Math.min(1, floats[i]));
    a.frame[a.fill++] = s < 0 ? s * 0x8000 : s * 0x7fff;
    if (a.fill === a.frame.length) {  // one 20 ms frame
      if (a.ws && a.ws.readyState === WebSocket.OPEN) {
        a.ws.send(a.frame.buffer.slice(0));
        desk.stats.sentFrames += 1;
        desk.stats.micPeak = Math.max(desk.stats.micPeak, level(a.frame) / 32768);
      }
      a.fill = 0;
    }
  }
}

function play(a, pcm) {
  desk.stats.callerFrames += 1;
  if (!a.ctx) return;
  const buffer = a.ctx.createBuffer(1, pcm.length, a.callRate);
  const ch = buffer.getChannelData(0);
  for (let i = 0; i < pcm.length; i++) ch[i] = pcm[i] / 32768;
  $("caller-level").value = level(ch);
  const src = a.ctx.createBufferSource();
  src.buffer = buffer;
  src.connect(a.ctx.destination);
  const now = a.ctx.currentTime;
  if (a.playAt < now || a.playAt > now + 0.5) a.playAt = now + 0.06;  // jitter buffer, no drift
  src.start(a.playAt);
  a.playAt += buffer.duration;
}

function stopAudio() {
  const a = desk.audio;
  if (!a) return;
  desk.audio = null;
  if (a.ws && a.ws.readyState <= WebSocket.OPEN) a.ws.close(1000, "done");
  if (a.stream) a.stream.getTracks().forEach((t) => t.stop());
  if (a.ctx) a.ctx.close();
  $("audio-status").textContent = "";
}

connectUpdates(500);
