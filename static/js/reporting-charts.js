// Draws the KPI dashboard's charts with Chart.js. Each <canvas data-chart="ID"> has its data in
// <script type="application/json" id="ID"> (Django's json_script): labels, datasets (a null is a
// suppressed or empty cell, left unplotted), stacked, unit, axis and summary. The tables beside
// the charts carry every figure; the charts add nothing a screen reader would miss.
(function () {
  'use strict'

  if (typeof window.Chart !== 'function') {
    return // no Chart.js: the tables stand alone
  }

  // GOV.UK Frontend colours, distinguishable side by side.
  var COLOURS = ['#1d70b8', '#f47738', '#00703c', '#912b88', '#d4351c', '#28a197', '#5694ca', '#505a5f']
  var SUFFIX = { percent: '%', hours: ' h', count: '' }

  function draw (canvas) {
    var source = document.getElementById(canvas.getAttribute('data-chart'))
    if (!source) {
      return
    }
    var spec = JSON.parse(source.textContent)
    var suffix = SUFFIX[spec.unit] || ''
    var line = spec.type === 'line'
    var datasets = spec.datasets.map(function (dataset, index) {
      var colour = COLOURS[index % COLOURS.length]
      return {
        label: dataset.label,
        data: dataset.data,
        backgroundColor: colour,
        borderColor: colour,
        borderWidth: line ? 3 : 0,
        spanGaps: false
      }
    })
    new window.Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: true,
        aspectRatio: 2.2,
        plugins: {
          legend: { display: datasets.length > 1 },
          tooltip: {
            callbacks: {
              label: function (context) {
                return context.dataset.label + ': ' + context.formattedValue + suffix
              }
            }
          }
        },
        scales: {
          x: { stacked: spec.stacked },
          y: {
            stacked: spec.stacked,
            beginAtZero: true,
            title: { display: true, text: spec.axis },
            ticks: {
              precision: spec.unit === 'count' ? 0 : undefined, // no half contacts
              callback: function (value) { return value + suffix }
            }
          }
        }
      }
    })
  }

  var canvases = document.querySelectorAll('canvas[data-chart]')
  for (var i = 0; i < canvases.length; i++) {
    draw(canvases[i])
  }
})()
