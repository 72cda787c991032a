import pyqtgraph as pg

from workbench.gui.lanes import LaneView


class PeaksLane(LaneView):
    """One lane with a vertical line at every peak."""

    def __init__(self, layer, pane, color):
        super().__init__(layer, pane, color)
        self.lane = self.new_lane("peaks", height=50)
        self.items = []
        self.draw()

    def draw(self) -> None:
        for item in self.items:
            self.lane.plot.removeItem(item)
        self.items = [pg.InfiniteLine(pos=float(t), angle=90, pen=pg.mkPen(self.color, width=2))
                      for t in self.layer.times]
        for item in self.items:
            self.lane.plot.addItem(item)
