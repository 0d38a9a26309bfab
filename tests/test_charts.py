"""Server-side SVG charts (charts.py): accessible, escaped, robust to odd data, branded."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from ckanext.satudata_balikpapan.portal import charts

SVG = "{http://www.w3.org/2000/svg}"


def _parse(markup) -> ET.Element:
    """The figure as XML: it must be well-formed (no stray markup from a label)."""
    return ET.fromstring(str(markup))


def _svg(figure: ET.Element) -> ET.Element:
    svg = figure.find(f"{SVG}svg")
    assert svg is not None
    return svg


def _rects(figure: ET.Element) -> list[ET.Element]:
    return [r for r in _svg(figure).iter(f"{SVG}rect") if r.get("height") != "12"]


class TestNumbers:
    @pytest.mark.parametrize(
        ("value", "lang", "text"),
        [
            (1234567, "id", "1.234.567"),
            (1234567, "en", "1,234,567"),
            (1234.5, "id", "1.234,5"),
            (1234.5, "en", "1,234.5"),
            (12.0, "id", "12"),
            (-0.0, "id", "0"),
            (-3.25, "id", "-3,25"),
        ],
    )
    def test_numbers_are_written_the_way_the_reader_writes_them(self, value, lang, text):
        assert charts.format_number(value, lang) == text

    def test_axis_ticks_are_round_and_include_zero(self):
        assert charts.nice_ticks(0, 763000) == [0, 200000, 400000, 600000, 800000]
        ticks = charts.nice_ticks(-3, 7)
        assert ticks[0] <= -3 and ticks[-1] >= 7 and 0 in ticks
        assert charts.nice_ticks(5, 5)[0] == 0  # a flat series still gets an axis from zero


class TestBarChart:
    def test_it_is_an_image_for_screen_readers_with_the_figures(self):
        figure = _parse(
            charts.bar_chart([("Dinas Kesehatan", 1234.5), ("Disdukcapil", 87)], title="Skor", unit="%")
        )
        svg = _svg(figure)
        assert svg.get("role") == "img"
        assert svg.get("aria-label") == "Skor"
        assert svg.find(f"{SVG}title").text == "Skor"
        desc = svg.find(f"{SVG}desc")
        assert desc.text == "Dinas Kesehatan: 1.234,5%; Disdukcapil: 87%"
        assert svg.get("aria-describedby") == desc.get("id")
        assert figure.find("figcaption").text == "Skor"
        # the same figures as a table, for everyone
        rows = [[c.text for c in tr] for tr in figure.iter("tr")]
        assert rows[1:] == [["Dinas Kesehatan", "1.234,5%"], ["Disdukcapil", "87%"]]

    def test_labels_are_escaped(self):
        markup = charts.bar_chart([('<script>alert("x")</script> & co', 1)], title="<b>T</b>")
        assert "<script>" not in str(markup) and "<b>" not in str(markup)
        figure = _parse(markup)  # still well-formed
        assert figure.find("figcaption").text == "<b>T</b>"

    def test_bars_are_as_long_as_their_values(self):
        figure = _parse(charts.bar_chart([("a", 100), ("b", 50), ("c", 0)], title="t"))
        widths = [float(r.get("width")) for r in _rects(figure)]
        assert widths[0] == pytest.approx(2 * widths[1])
        assert widths[2] == 0

    def test_all_zero_data_draw_empty_bars_without_dividing_by_zero(self):
        figure = _parse(charts.bar_chart([("a", 0), ("b", 0)], title="t"))
        assert [float(r.get("width")) for r in _rects(figure)] == [0, 0]

    def test_negative_values_go_left_of_zero_in_the_second_colour(self):
        figure = _parse(
            charts.bar_chart([("naik", 10), ("turun", -5)], title="t", colors=["#111111", "#222222"])
        )
        up, down = _rects(figure)
        assert float(down.get("x")) < float(up.get("x"))
        assert float(down.get("x")) + float(down.get("width")) == pytest.approx(float(up.get("x")))
        assert (up.get("fill"), down.get("fill")) == ("#111111", "#222222")

    def test_no_data_says_so_instead_of_drawing(self):
        markup = charts.bar_chart([], title="Kosong")
        assert "<svg" not in markup
        assert "satudata-chart-empty" in markup
        # values that are not numbers count as missing
        assert "<svg" not in charts.bar_chart([("a", float("nan")), ("b", None)], title="t")

    def test_only_the_first_max_items_are_drawn(self):
        items = [(f"OPD {i}", i) for i in range(50)]
        figure = _parse(charts.bar_chart(items, title="t", max_items=10))
        assert len(_rects(figure)) == 10
        assert "OPD 9" in _svg(figure).find(f"{SVG}desc").text
        assert "OPD 10" not in _svg(figure).find(f"{SVG}desc").text

    def test_columns_for_a_time_axis(self):
        figure = _parse(charts.bar_chart([("2026-01", 4), ("2026-02", 7)], title="t", horizontal=False))
        bars = _rects(figure)
        assert len(bars) == 2
        # taller for the larger value, standing on the same baseline
        assert float(bars[1].get("height")) > float(bars[0].get("height"))
        bottoms = {round(float(b.get("y")) + float(b.get("height")), 1) for b in bars}
        assert len(bottoms) == 1
        labels = [t.text for t in _svg(figure).iter(f"{SVG}text")]
        assert "2026-01" in labels and "2026-02" in labels

    def test_long_labels_are_shortened_on_the_chart_but_complete_in_the_table(self):
        long = "Dinas Pemuda, Olahraga dan Pariwisata Kota Balikpapan"
        figure = _parse(charts.bar_chart([(long, 3)], title="t"))
        drawn = [t.text for t in _svg(figure).iter(f"{SVG}text")]
        assert long not in drawn and any(t.endswith("…") for t in drawn)
        assert long in [th.text for th in figure.iter("th")]

    def test_the_colours_come_from_the_city_branding(self, ckan_config, monkeypatch):
        monkeypatch.setitem(ckan_config, "ckanext.satudata.color_primary", "#123456")
        monkeypatch.setitem(ckan_config, "ckanext.satudata.chart_colors", [])
        figure = _parse(charts.bar_chart([("a", 1)], title="t"))
        assert _rects(figure)[0].get("fill") == "#123456"

    def test_an_invalid_colour_in_the_config_falls_back_to_the_default(self, ckan_config, monkeypatch):
        monkeypatch.setitem(ckan_config, "ckanext.satudata.color_primary", "red;}body{display:none")
        monkeypatch.setitem(ckan_config, "ckanext.satudata.chart_colors", [])
        figure = _parse(charts.bar_chart([("a", 1)], title="t"))
        assert _rects(figure)[0].get("fill") == "#00579c"


class TestLineChart:
    SERIES = {
        "Laki-laki": [(2021, 370000), (2022, 374000), (2023, 378500)],
        "Perempuan": [(2021, 355000), (2022, 359100), (2023, 363000)],
    }

    def test_one_line_per_series_with_a_legend_and_the_figures(self):
        figure = _parse(charts.line_chart(self.SERIES, title="Penduduk", unit="jiwa"))
        svg = _svg(figure)
        assert svg.get("role") == "img" and svg.get("aria-label") == "Penduduk"
        assert len(list(svg.iter(f"{SVG}polyline"))) == 2
        assert len(list(svg.iter(f"{SVG}circle"))) == 6
        assert "Laki-laki: 2021 370.000 jiwa, 2022 374.000 jiwa" in svg.find(f"{SVG}desc").text
        texts = [t.text for t in svg.iter(f"{SVG}text")]
        assert {"Laki-laki", "Perempuan", "2021", "2023"} <= set(texts)
        table = [[c.text for c in tr] for tr in figure.iter("tr")]
        assert table[0][1:] == ["Laki-laki", "Perempuan"]
        assert table[1] == ["2021", "370.000 jiwa", "355.000 jiwa"]

    def test_years_are_in_numeric_order(self):
        figure = _parse(charts.line_chart({"a": [(2025, 3), (2009, 1), (2010, 2)]}, title="t"))
        rows = [tr[0].text for tr in list(figure.iter("tr"))[1:]]
        assert rows == ["2009", "2010", "2025"]

    def test_a_missing_year_breaks_the_line(self):
        figure = _parse(
            charts.line_chart(
                {"a": [(2021, 1), (2022, 2), (2024, 4), (2025, 5)], "b": [(2023, 1)]}, title="t"
            )
        )
        a = next(g for g in _svg(figure).iter(f"{SVG}g") if g.get("data-series") == "a")
        assert len(list(a.iter(f"{SVG}polyline"))) == 2  # 2021-2022 and 2024-2025
        b = next(g for g in _svg(figure).iter(f"{SVG}g") if g.get("data-series") == "b")
        assert len(list(b.iter(f"{SVG}polyline"))) == 0 and len(list(b.iter(f"{SVG}circle"))) == 1

    def test_negative_values_and_non_numbers(self):
        figure = _parse(
            charts.line_chart({"laju": [(2021, -1.5), (2022, 2.25), (2023, "n/a")]}, title="t", unit="%")
        )
        assert len(list(_svg(figure).iter(f"{SVG}circle"))) == 2
        assert "-1,5%" in _svg(figure).find(f"{SVG}desc").text

    def test_empty_series_say_there_is_nothing_to_chart(self):
        assert "<svg" not in charts.line_chart({}, title="t")
        assert "<svg" not in charts.line_chart({"a": []}, title="t")

    def test_series_names_are_escaped(self):
        markup = charts.line_chart({"<img src=x onerror=alert(1)>": [(2021, 1), (2022, 2)]}, title="t")
        assert "<img" not in markup
        _parse(markup)


def test_money_is_written_with_the_currency_first():
    figure = _parse(charts.bar_chart([("beras", 12400), ("selisih", -300)], title="Harga", unit="Rp"))
    assert _svg(figure).find(f"{SVG}desc").text == "beras: Rp12.400; selisih: -Rp300"
