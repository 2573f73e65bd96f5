// English strings of the reviewer console, by key (see i18n.js). Keep the keys in step with strings-zh-CN.js.

export default {
  "locale.switch": "中文",
};
