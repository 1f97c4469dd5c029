'use strict';
// The byline is in the order its authors were chosen (ArticleForm.clean_byline_authors reads
// the order the form sends). A <select> sends its options in page order, and select2 reuses a
// re-chosen author's option where it stood: moved to the end, it is sent (and shown) last, so
// "remove an author and add them again" reorders the byline, as the field's help says.
window.addEventListener('load', function () {
  const $ = window.django && window.django.jQuery;
  if (!$) {
    return;
  }
  $('select[data-byline]').on('select2:select', function (event) {
    const chosen = Array.from(this.options).find((option) => option.value === event.params.data.id);
    if (chosen) {
      this.appendChild(chosen);
      $(this).trigger('change');
    }
  });
});
