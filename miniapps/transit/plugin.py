"""The transit mini-app as the host sees it (entry point ``superapp.miniapps: transit``)."""

from miniapps.sdk import MiniApp

miniapp = MiniApp(
    name="transit",
    slug="transit",
    title={"vi": "Vé xe buýt", "en": "Bus tickets"},
    description={"vi": "Mua vé, xuất trình mã QR động.", "en": "Buy passes and show a dynamic QR."},
    category="transport",
    scopes=["openid", "transit"],
)
