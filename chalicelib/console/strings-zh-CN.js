// 审核台的中文文案，键与 strings-en.js 一一对应（见 i18n.js）。

export default {
  "locale.switch": "English",
  // messages
  "messages.title": "留言",
  "messages.empty": "暂无留言。",
  "messages.closed": "案件已结案，不再接收留言。",
  "messages.load_failed": "无法加载留言：{error}",
  "messages.audience.everyone": "所有人",
  "messages.audience.buyer": "仅买家",
  "messages.audience.seller": "仅卖家",
  "messages.audience.platform": "内部备注",
  "messages.role.buyer": "买家",
  "messages.role.seller": "卖家",
  "messages.role.reviewer": "审核员",
  "messages.role.senior_reviewer": "高级审核员",
  "messages.role.storefront": "店铺",
  "messages.attachments": "附件：",
  "messages.form.title": "写留言",
  "messages.form.audience": "发送给",
  "messages.form.text": "留言内容",
  "messages.form.hint": "最多 2000 字。内部备注仅审核员可见；“仅买家”或“仅卖家”仅该方与审核员可见。",
  "messages.form.attach": "附加证据",
  "messages.form.evidence": "{party}的{kind}",
  "messages.form.submit": "发送留言",
  "messages.posted": "留言已发送（{audience}）。",
};
