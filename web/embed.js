/*
 * Panda Spa chat on any page of the spa's website, with one tag:
 *   <script src="https://chat.example/embed.js" data-lang="auto" defer></script>
 * It loads the rasa-webchat widget from the chat server, shows its launcher in
 * the bottom-right corner in the spa's colours, with an unread badge and a
 * first greeting in the visitor's language (data-lang: auto, en, vi, ko or zh).
 * The chat server prepends window.PANDA_EMBED = {chatUrl, socketUrl}.
 */
(function () {
  "use strict";
  if (window.PANDA_EMBED_LOADED) { return; }
  window.PANDA_EMBED_LOADED = true;
  var config = window.PANDA_EMBED || {};
  var script = document.currentScript;
  var LANGUAGES = ["en", "vi", "ko", "zh"];
  var TEXTS = {
    en: { title: "Panda Spa assistant", subtitle: "Answers from the spa's own articles",
          hint: "Ask about sleep, stress, pain, booking…" },
    vi: { title: "Trợ lý Panda Spa", subtitle: "Trả lời từ bài viết của spa",
          hint: "Hỏi về giấc ngủ, căng thẳng, đau nhức, đặt lịch…" },
    ko: { title: "Panda Spa 도우미", subtitle: "스파의 글에서 찾은 답변",
          hint: "수면, 스트레스, 통증, 예약에 대해 물어보세요…" },
    zh: { title: "Panda Spa 助手", subtitle: "答案来自本店的文章",
          hint: "可以问睡眠、压力、疼痛、预约…" }
  };
  // Taiwan, Hong Kong and Macau read Traditional characters (the bot answers in
  // the script the visitor types).
  var TRADITIONAL = { title: "Panda Spa 助手", subtitle: "答案來自本店的文章",
                      hint: "可以問睡眠、壓力、疼痛、預約…" };
  var COLOURS = { main: "#2f4f3e", accent: "#c9a96e", text: "#ffffff" };

  function traditionalReader() {
    var preferred = navigator.languages || [navigator.language || ""];
    for (var i = 0; i < preferred.length; i++) {
      var code = String(preferred[i] || "").toLowerCase();
      if (code.slice(0, 2) !== "zh") { continue; }
      return /^zh-(tw|hk|mo|hant)/.test(code);
    }
    return false;
  }

  function language() {
    var wanted = ((script && script.getAttribute("data-lang")) || "auto").toLowerCase();
    if (LANGUAGES.indexOf(wanted) >= 0) { return wanted; }
    var preferred = navigator.languages || [navigator.language || "en"];
    for (var i = 0; i < preferred.length; i++) {
      var code = String(preferred[i] || "").slice(0, 2).toLowerCase();
      if (LANGUAGES.indexOf(code) >= 0) { return code; }
    }
    return "en";
  }

  function style() {
    var css = [
      ".rw-widget-container .rw-launcher{background-color:" + COLOURS.main + ";}",
      ".rw-widget-container .rw-launcher .rw-unread-count-pastille{background-color:" +
        COLOURS.accent + ";color:" + COLOURS.main + ";}",
      ".rw-widget-container .rw-header{background-color:" + COLOURS.main + ";}",
      ".rw-widget-container .rw-client{background-color:" + COLOURS.main + ";color:" +
        COLOURS.text + ";}",
      ".rw-widget-container .rw-message .rw-response p{white-space:pre-wrap;}"
    ].join("\n");
    var tag = document.createElement("style");
    tag.setAttribute("data-panda-spa", "");
    tag.appendChild(document.createTextNode(css));
    document.head.appendChild(tag);
  }

  function start() {
    var lang = language();
    var texts = lang === "zh" && traditionalReader() ? TRADITIONAL : TEXTS[lang];
    var holder = document.createElement("div");
    holder.id = "panda-spa-chat";
    holder.setAttribute("lang", lang);
    document.body.appendChild(holder);
    style();
    var hint = { language: lang };
    if (lang === "zh" && traditionalReader()) { hint.script = "hant"; }  // greeted in Traditional
    var greet = "/greet" + JSON.stringify(hint);
    window.WebChat.default({
      selector: "#panda-spa-chat",
      socketUrl: config.socketUrl,
      socketPath: "/socket.io/",
      tooltipPayload: greet,
      initPayload: greet,
      tooltipDelay: 500,
      embedded: false,
      displayUnreadCount: true,
      title: texts.title,
      subtitle: texts.subtitle,
      inputTextFieldHint: texts.hint,
      showMessageDate: false,
      mainColor: COLOURS.main,
      userBackgroundColor: COLOURS.main,
      userTextColor: COLOURS.text,
      customData: { language: lang },
      customMessageDelay: function () { return 200; },
      params: { storage: "local" }
    }, null);
  }

  var widget = document.createElement("script");
  widget.src = config.chatUrl + "/webchat.js";
  widget.async = true;
  widget.onload = function () {
    if (document.body) { start(); } else { document.addEventListener("DOMContentLoaded", start); }
  };
  document.head.appendChild(widget);
})();
