// Strings Wagtail's admin scripts show (the sidebar's "(New)" badges, the editor's autosave
// and block messages) that Wagtail's zh_Hans djangojs catalogue leaves untranslated; the
// Python side of the same gap is core/translation_gaps.py, which says why these lists exist.
// Nothing loads this file: `makemessages -d djangojs` reads it, and our locale's djangojs.po
// then fills the gap, because Django's JavaScript catalogue adds LOCALE_PATHS to the
// packages it is given (Wagtail asks for wagtail.admin's). Each msgid is spelled exactly as
// Wagtail 8.0 spells it.
/* global gettext, ngettext */
gettext("(%(number)s new items in this menu)");
gettext("(1 new item in this menu)");
gettext("(New)");
ngettext("%(num)s error", "%(num)s errors", 0);
ngettext("%(num)s min", "%(num)s mins", 0);
ngettext("%(num)s pixel", "%(num)s pixels", 0);
gettext("%(time_zone_option)s: %(localized_time_zone_label)s");
gettext("A network error occurred.");
gettext("A server error occurred.");
gettext("Autosave in progress…");
gettext("Blocks");
gettext("Changes have been autosaved.");
gettext("Complex");
gettext("Error while sending preview data.");
gettext("Fair");
gettext("Good");
gettext("Insert a block");
gettext("Split block");
gettext("Write something or type ‘/’ to insert a block");
