/*
 * The page editor's additions (portal/wagtail_hooks.py loads this file after Wagtail's own scripts).
 *
 * Slugs: Wagtail syncs a page's title into its slug in the browser (the w-sync controller on the
 * title, w-slug on the slug). Its rule drops the letters it cannot transliterate, so
 * "2024年上合示范区经贸洽谈会" became "2024", and it writes Russian in another scheme than the
 * server's. The portal's rule (pinyin, one Russian transliteration: portal/i18n.py) needs
 * dictionaries that stay on the server, so while a title is typed this controller keeps its slug
 * empty: the server makes it (portal/forms.py), and each autosave brings it back into the editor.
 * One rule, one place: an English title's slug is the server's too (its length, its edges).
 * A slug the editor typed (or chose before: data-portal-slug-edited-value) is never replaced.
 */
(() => {
  const { Controller } = window.StimulusModule;

  class PortalSlugController extends Controller {
    static values = { edited: { type: Boolean, default: false } };

    connect() {
      this.typed = () => {
        // a slug emptied by hand is the server's to make again
        this.editedValue = this.element.value.trim() !== '';
      };
      this.element.addEventListener('input', this.typed);
    }

    disconnect() {
      this.element.removeEventListener('input', this.typed);
    }

    /* w-sync:check (the title gets focus): stay in sync unless the editor chose this slug.
       Wagtail's own comparison (w-slug#compare) would find "2024-nian-…" unlike its "2024". */
    check(event) {
      event.stopImmediatePropagation();
      if (this.editedValue) event.preventDefault();
    }

    /* w-sync:apply (the title changed): the slug is left to the server, unless chosen by hand. */
    apply(event) {
      event.preventDefault();
      event.stopImmediatePropagation();
      if (!this.editedValue) this.element.value = '';
    }
  }

  window.wagtail.app.register('portal-slug', PortalSlugController);

  // One-line texts are shown as growing text areas (PortalPageForm): Enter does not break the line.
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.isComposing && event.target.matches?.('textarea[data-portal-one-line]')) {
      event.preventDefault();
    }
  });
})();
