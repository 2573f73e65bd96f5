// English strings of the reviewer console, by key (see i18n.js). Keep the keys in step with strings-zh-CN.js.

export default {
  "locale.switch": "中文",
  // messages
  "messages.title": "Messages",
  "messages.empty": "No messages yet.",
  "messages.closed": "The case is closed: it takes no more messages.",
  "messages.load_failed": "The messages could not be loaded: {error}",
  "messages.audience.everyone": "Everyone",
  "messages.audience.buyer": "Buyer only",
  "messages.audience.seller": "Seller only",
  "messages.audience.platform": "Internal note",
  "messages.role.buyer": "Buyer",
  "messages.role.seller": "Seller",
  "messages.role.reviewer": "Reviewer",
  "messages.role.senior_reviewer": "Senior reviewer",
  "messages.role.storefront": "Storefront",
  "messages.attachments": "Attached:",
  "messages.form.title": "Write a message",
  "messages.form.audience": "To",
  "messages.form.text": "Message",
  "messages.form.hint": "Up to 2,000 characters. An internal note is read by reviewers only; buyer or seller only is read by that party and reviewers.",
  "messages.form.attach": "Attach evidence",
  "messages.form.evidence": "{party}'s {kind}",
  "messages.form.submit": "Post the message",
  "messages.posted": "Message posted ({audience}).",
};
