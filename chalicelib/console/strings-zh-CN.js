// 审核台的中文文案，键与 strings-en.js 一一对应（见 i18n.js）。

export default {
  "locale.switch": "English",
};
