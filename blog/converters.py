from django.urls import register_converter


class FourDigitYear:
    regex = r"[0-9]{4}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{int(value):04d}"


class TwoDigit(FourDigitYear):
    regex = r"[0-9]{2}"

    def to_url(self, value):
        return f"{int(value):02d}"


class UnicodeSlug:
    """Letters, digits, hyphens and underscores in any script; never a NUL or a slash."""

    regex = r"[-\w]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


class Username(UnicodeSlug):
    regex = r"[\w.@+-]+"


class CategoryPath:
    regex = r"[-\w]+(?:/[-\w]+)*"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(FourDigitYear, "yyyy")
register_converter(TwoDigit, "mm")
register_converter(CategoryPath, "catpath")
register_converter(UnicodeSlug, "uslug")
register_converter(Username, "username")
